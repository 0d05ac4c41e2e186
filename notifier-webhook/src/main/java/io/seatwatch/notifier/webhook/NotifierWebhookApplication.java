package io.seatwatch.notifier.webhook;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class NotifierWebhookApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotifierWebhookApplication.class, args);
    }
}
