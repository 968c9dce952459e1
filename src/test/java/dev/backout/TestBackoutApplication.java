package dev.backout;

import org.springframework.boot.SpringApplication;

/**
 * Runs the console with the test database setup (Testcontainers when Docker is available).
 */
public class TestBackoutApplication {

	public static void main(String[] args) {
		SpringApplication.from(BackoutApplication::main).with(TestcontainersConfiguration.class).run(args);
	}

}
