package dev.backout.system;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded PostgreSQL server of embedded mode.
 *
 * @param enabled whether the console starts its own server (default: when no datasource URL is set)
 * @param dataDir where the server keeps its data, so a restart keeps every incident
 * @param port fixed port, or 0 for any free one
 * @param database the console's own database on that server
 * @param cleanOnExit delete the data directory on shutdown (tests only)
 */
@ConfigurationProperties("backout.embedded")
public record EmbeddedPostgresProperties(boolean enabled, @DefaultValue("./data/postgres") Path dataDir,
		@DefaultValue("0") int port, @DefaultValue("backout") String database, boolean cleanOnExit) {
}
