package dev.backout;

import java.util.Arrays;

import dev.backout.audit.TrailVerifierCommand;
import dev.backout.system.EmbeddedPostgresHeadStart;

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
		if (args.length > 0 && args[0].equals("verify-trail")) {
			System.exit(TrailVerifierCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out));
		}
		SpringApplication console = new SpringApplication(BackoutApplication.class);
		console.addInitializers(new EmbeddedPostgresHeadStart());
		console.run(args);
	}

}
