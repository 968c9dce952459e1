package dev.backout;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Backout: a web console for guided database-migration rollbacks.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BackoutApplication {

	public static void main(String[] args) {
		SpringApplication.run(BackoutApplication.class, args);
	}

}
