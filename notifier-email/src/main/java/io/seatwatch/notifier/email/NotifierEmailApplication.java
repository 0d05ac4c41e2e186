package io.seatwatch.notifier.email;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * notifier-email: consumes {@code EnrollmentPromoted} and {@code EmailConfirmationRequested} events and sends
 * each email once over SMTP. Serves only actuator (port 8081).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NotifierEmailApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotifierEmailApplication.class, args);
    }
}
