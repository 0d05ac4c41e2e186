package io.seatwatch.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class SeatwatchApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(SeatwatchApiApplication.class, args);
    }
}
