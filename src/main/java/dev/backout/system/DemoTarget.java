package dev.backout.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * The demo target of embedded mode: a {@code demo} database on the console's own server where
 * the forward migrations of all five seed runbooks are applied with realistic rows, so every
 * seed runbook can really run. Built at first start; an admin can rebuild it.
 */
@Component
@ConditionalOnBooleanProperty("backout.demo.enabled")
public class DemoTarget implements SmartInitializingSingleton {

	public static final String DATABASE = "demo";

	public static final String ALIAS = "demo";

	/** Owns the demo database and runs the seed runbooks' steps: no superuser. */
	public static final String OWNER = "demo_owner";

	/** Runs the checks: reads everything (pg_read_all_data), writes nothing. */
	public static final String READER = "demo_reader";

	private static final Logger log = LoggerFactory.getLogger(DemoTarget.class);

	private static final Pattern DATABASE_IN_URL = Pattern.compile("^(jdbc:postgresql://[^/]+/)([^?]*)(.*)$");

	private final String consoleUrl;

	private final String username;

	private final String password;

	private final AuditTrail trail;

	/** The demo roles' password where the server asks for one (not on the embedded server, which trusts loopback). */
	private final String rolePassword;

	/**
	 * The demo target is reached as a superuser: the embedded server's own when embedded (the
	 * console's role may not create databases), otherwise the console's connection (a test
	 * container's superuser).
	 */
	DemoTarget(JdbcConnectionDetails console, ObjectProvider<EmbeddedPostgresServer> embedded,
			ObjectProvider<LiquibaseConnectionDetails> migrations, AuditTrail trail) {
		EmbeddedPostgresServer server = embedded.getIfAvailable();
		LiquibaseConnectionDetails owner = migrations.getIfAvailable();
		this.consoleUrl = console.getJdbcUrl();
		this.username = (server != null) ? server.username() : (owner != null) ? owner.getUsername() : console.getUsername();
		this.password = (server != null) ? null : (owner != null) ? owner.getPassword() : console.getPassword();
		this.rolePassword = (server != null) ? null : java.util.UUID.randomUUID().toString();
		this.trail = trail;
	}

	@Override
	public void afterSingletonsInstantiated() {
		if (exists() && !ownedByOwnerRole()) {
			// Built by an earlier version as the superuser's: rebuilt once with the safe set-up.
			log.info("Rebuilding the demo target so that it belongs to {} and checks run as {}", OWNER, READER);
			drop();
		}
		if (!exists()) {
			long started = System.nanoTime();
			build();
			log.info("Demo target '{}' built with the five seed schemas in {} ms", DATABASE,
					(System.nanoTime() - started) / 1_000_000);
			this.trail.record(AuditEntry.bySystem("DEMO_TARGET_BUILT", Map.of("database", DATABASE)));
		}
	}

	public String jdbcUrl() {
		return withDatabase(this.consoleUrl, DATABASE);
	}

	/** The server's superuser, which builds the demo database (and tests use to set up scratch databases). */
	public String username() {
		return this.username;
	}

	public String password() {
		return this.password;
	}

	/** The password of {@link #OWNER} and {@link #READER}, or null where the server trusts the console. */
	public String rolePassword() {
		return this.rolePassword;
	}

	/**
	 * Drops and rebuilds the demo database, ending any session on it; refused while an incident
	 * executes there (it holds the target's execution lock).
	 */
	public synchronized void reset(Authentication admin) {
		try (Connection demo = connectTo(jdbcUrl()); Statement probe = demo.createStatement();
				ResultSet locked = probe.executeQuery("SELECT pg_try_advisory_lock(" + ExecutionLock.CLASS_ID + ", "
						+ ExecutionLock.OBJECT_ID + ")")) {
			locked.next();
			if (!locked.getBoolean(1)) {
				throw new DemoTargetBusy();
			}
		}
		catch (SQLException ex) {
			// No demo database to look at: nothing can be executing there.
		}
		drop();
		build();
		this.trail.record(AuditEntry.by(admin, "DEMO_TARGET_RESET", Map.of("database", DATABASE)));
	}

	/** An execution holds the demo target. */
	public static class DemoTargetBusy extends RuntimeException {

		DemoTargetBusy() {
			super("An incident is executing a step on the demo target; reset it when the step has finished.");
		}

	}

	private void drop() {
		try (Connection connection = connectTo(maintenanceUrl()); Statement statement = connection.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot drop the demo target: " + ex.getMessage(), ex);
		}
	}

	private boolean ownedByOwnerRole() {
		try (Connection connection = connectTo(maintenanceUrl());
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '"
						+ DATABASE + "'")) {
			return rs.next() && OWNER.equals(rs.getString(1));
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot look at the demo target: " + ex.getMessage(), ex);
		}
	}

	boolean exists() {
		try (Connection connection = connectTo(maintenanceUrl());
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
			return rs.next();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot look for the demo target: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The safe set-up the README recommends, on the demo: the database belongs to a role without
	 * SUPERUSER that runs the steps, and checks run as a role that can only read.
	 */
	private void build() {
		try (Connection connection = connectTo(maintenanceUrl()); Statement statement = connection.createStatement()) {
			for (String role : new String[] { OWNER, READER }) {
				try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + role + "'")) {
					if (!exists.next()) {
						// BYPASSRLS: the seeds roll back as a service role, and checks must count every tenant's rows.
						statement.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS");
					}
				}
				if (this.rolePassword != null) {
					statement.execute("ALTER ROLE " + role + " PASSWORD '" + this.rolePassword + "'");
				}
			}
			statement.execute("GRANT pg_read_all_data TO " + READER);
			statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + OWNER);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot create the demo target: " + ex.getMessage(), ex);
		}
		try (Connection connection = connectTo(jdbcUrl())) {
			connection.setAutoCommit(false);
			try (Statement statement = connection.createStatement()) {
				statement.execute("ALTER SCHEMA public OWNER TO " + OWNER);
				// Everything the seeds build belongs to the owner, so its steps can change and drop it.
				statement.execute("SET ROLE " + OWNER);
			}
			for (Resource script : scripts()) {
				try (Statement statement = connection.createStatement()) {
					statement.execute(script.getContentAsString(StandardCharsets.UTF_8));
				}
			}
			connection.commit();
		}
		catch (SQLException | IOException ex) {
			throw new IllegalStateException("Cannot build the demo target: " + ex.getMessage(), ex);
		}
	}

	private static Resource[] scripts() throws IOException {
		Resource[] scripts = new PathMatchingResourcePatternResolver().getResources("classpath:demo/*.sql");
		Arrays.sort(scripts, Comparator.comparing(Resource::getFilename));
		return scripts;
	}

	/** The server's {@code postgres} database: CREATE and DROP DATABASE cannot run in the database they concern. */
	private String maintenanceUrl() {
		return withDatabase(this.consoleUrl, "postgres");
	}

	private Connection connectTo(String url) throws SQLException {
		return DriverManager.getConnection(url, this.username, this.password);
	}

	static String withDatabase(String jdbcUrl, String database) {
		Matcher matcher = DATABASE_IN_URL.matcher(jdbcUrl);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + jdbcUrl);
		}
		return matcher.group(1) + database + matcher.group(3);
	}

}
