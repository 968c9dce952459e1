package dev.backout.system;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Decides the mode once, before any bean exists: without {@code spring.datasource.url} the
 * console runs embedded (its own PostgreSQL, demo data, bound to loopback); with it, external.
 * Everything set here is a default that explicit configuration still overrides.
 */
class EmbeddedModeDefaults implements EnvironmentPostProcessor {

	static final String PROPERTY_SOURCE = "backoutModeDefaults";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		boolean embedded = !StringUtils.hasText(environment.getProperty("spring.datasource.url"));
		Map<String, Object> defaults = new HashMap<>();
		defaults.put("backout.embedded.enabled", embedded);
		defaults.put("backout.demo.enabled", embedded);
		if (embedded) {
			// Demo users and trust authentication: never reachable from the network by default.
			defaults.put("server.address", "127.0.0.1");
			defaults.put("backout.console-role", EmbeddedPostgresAutoConfiguration.CONSOLE_ROLE);
		}
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE, defaults));
	}

}
