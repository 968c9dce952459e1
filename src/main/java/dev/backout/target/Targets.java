package dev.backout.target;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

import dev.backout.audit.AuditEntry;
import dev.backout.audit.AuditTrail;
import dev.backout.database.ConsoleQuery;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.StringUtils;
import org.springframework.web.server.ResponseStatusException;

/**
 * The target registry and the only way to open a connection to a target. Every change is
 * audited; passwords are encrypted before they are stored and never logged or returned.
 */
@Service
public class Targets {

	private static final Pattern JDBC_URL = Pattern.compile("^jdbc:postgresql://[^/?#\\s]+/[A-Za-z0-9_.-]+(\\?[^\\s]*)?$");

	private static final Pattern SECRET_IN_URL = Pattern.compile("(?i)[?&](password|sslpassword)=");

	private final TargetRepository targets;

	private final SecretCipher cipher;

	private final AuditTrail trail;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	private final JdbcClient jdbc;

	Targets(TargetRepository targets, SecretCipher cipher, AuditTrail trail, Clock clock, ApplicationEventPublisher events,
			JdbcClient jdbc) {
		this.targets = targets;
		this.jdbc = jdbc;
		this.cipher = cipher;
		this.trail = trail;
		this.clock = clock;
		this.events = events;
	}

	/**
	 * What an admin enters; a blank password on update keeps the stored one.
	 *
	 * @param checkUsername the read-only credential checks run as; blank: checks use the main one
	 * @param allowSuperuserChecks checks may run as a superuser here (said on every incident page)
	 */
	public record TargetSpec(String name, String aliasGroup, Environment environment, String jdbcUrl, String username,
			String password, String checkUsername, String checkPassword, boolean allowSuperuserChecks) {

		/** A target whose checks use its main credential and may not run as a superuser. */
		public TargetSpec(String name, String aliasGroup, Environment environment, String jdbcUrl, String username,
				String password) {
			this(name, aliasGroup, environment, jdbcUrl, username, password, null, null, false);
		}

		/** The target as registered, passwords kept: the start of an edit. */
		public static TargetSpec of(Target target) {
			return new TargetSpec(target.name(), target.aliasGroup(), target.environment(), target.jdbcUrl(), target.username(),
					null, target.checkUsername(), null, target.allowSuperuserChecks());
		}

		public TargetSpec withJdbcUrl(String url) {
			return new TargetSpec(this.name, this.aliasGroup, this.environment, url, this.username, this.password,
					this.checkUsername, this.checkPassword, this.allowSuperuserChecks);
		}

		public TargetSpec withEnvironment(Environment environment) {
			return new TargetSpec(this.name, this.aliasGroup, environment, this.jdbcUrl, this.username, this.password,
					this.checkUsername, this.checkPassword, this.allowSuperuserChecks);
		}

		public TargetSpec withPassword(String password) {
			return new TargetSpec(this.name, this.aliasGroup, this.environment, this.jdbcUrl, this.username, password,
					this.checkUsername, this.checkPassword, this.allowSuperuserChecks);
		}

		public TargetSpec allowingSuperuserChecks() {
			return new TargetSpec(this.name, this.aliasGroup, this.environment, this.jdbcUrl, this.username, this.password,
					this.checkUsername, this.checkPassword, true);
		}

	}

	@Transactional(readOnly = true)
	public List<Target> all() {
		return this.targets.findAllInOrder();
	}

	/** A target as filters and lists name it. */
	public record Named(long id, String name) {
	}

	/**
	 * Every target's id and name, in the order of {@link #all()}: for pages that show no more, as a
	 * query to send with others ({@link dev.backout.database.OneTrip}).
	 */
	public static ConsoleQuery<List<Named>> namesQuery() {
		return ConsoleQuery.list("select id, name from target order by alias_group, environment, name", Map.of(),
				(rs, row) -> new Named(rs.getLong("id"), rs.getString("name")));
	}

	/**
	 * One target. Every view and poll of an incident reads its target, so this is one plain query
	 * mapped by hand: through the repository, mapping the row cost a poll more than reading it. No
	 * transaction of its own: around one statement it would only add a round trip.
	 */
	public Target get(long id) {
		return this.jdbc.sql(TARGET + " where id = :id")
			.param("id", id)
			.query(Targets::map)
			.optional()
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "No target with id " + id));
	}

	/** The target an incident runs against, as a query to send with others ({@link dev.backout.database.OneTrip}). */
	public static ConsoleQuery<Optional<Target>> ofIncidentQuery(long incidentId) {
		return ConsoleQuery.optional(TARGET + " where id = (select target_id from incident where id = :incident)",
				Map.of("incident", incidentId), Targets::map);
	}

	/**
	 * For an incident {@link #ofIncidentQuery} found no target of: it cannot happen
	 * ({@code incident.target_id} is a non-null foreign key that never changes).
	 */
	public static IllegalStateException noTargetOf(long incidentId) {
		return new IllegalStateException("Incident " + incidentId + " has no target");
	}

	private static final String TARGET = """
			select id, name, alias_group, environment, jdbc_url, username, password_encrypted, created_at, updated_at,
			       check_username, check_password_encrypted, allow_superuser_checks
			from target""";

	private static Target map(ResultSet rs, int row) throws SQLException {
		return new Target(rs.getLong("id"), rs.getString("name"), rs.getString("alias_group"),
				Environment.valueOf(rs.getString("environment")), rs.getString("jdbc_url"), rs.getString("username"),
				rs.getBytes("password_encrypted"), rs.getTimestamp("created_at").toInstant(),
				rs.getTimestamp("updated_at").toInstant(), rs.getString("check_username"),
				rs.getBytes("check_password_encrypted"), rs.getBoolean("allow_superuser_checks"));
	}

	@Transactional(readOnly = true)
	public Optional<Target> findByName(String name) {
		return this.targets.findByName(name);
	}

	@Transactional
	public Target register(TargetSpec spec, Authentication actor) {
		validate(spec);
		if (this.targets.findByName(spec.name()).isPresent()) {
			throw new TargetException("A target named '" + spec.name() + "' already exists.");
		}
		var now = this.clock.instant();
		Target target = this.targets.save(new Target(null, spec.name(), spec.aliasGroup(), spec.environment(),
				spec.jdbcUrl().trim(), spec.username().trim(), encrypt(spec.password()), now, now,
				Target.blankToNull(spec.checkUsername()), encrypt(spec.checkPassword()), spec.allowSuperuserChecks()));
		audit(actor, "TARGET_REGISTERED", target);
		return target;
	}

	@Transactional
	public Target update(long id, TargetSpec spec, Authentication actor) {
		validate(spec);
		Target current = get(id);
		byte[] password = StringUtils.hasText(spec.password()) ? encrypt(spec.password()) : current.passwordEncrypted();
		boolean sameCheckRole = java.util.Objects.equals(Target.blankToNull(spec.checkUsername()), current.checkUsername());
		byte[] checkPassword = StringUtils.hasText(spec.checkPassword()) ? encrypt(spec.checkPassword())
				: sameCheckRole ? current.checkPasswordEncrypted() : null;
		Target updated = this.targets.save(current.with(spec, password, checkPassword, this.clock.instant()));
		audit(actor, StringUtils.hasText(spec.password()) ? "TARGET_UPDATED_WITH_NEW_PASSWORD" : "TARGET_UPDATED", updated);
		this.events.publishEvent(new TargetChanged(updated.id(), updated.name(), (actor != null) ? actor.getName() : "system",
				Map.of("aliasGroup", updated.aliasGroup(), "environment", updated.environment().name(), "jdbcUrl",
						updated.jdbcUrl(), "username", updated.username(), "newPassword",
						String.valueOf(StringUtils.hasText(spec.password())), "checksAs", updated.checkRole(),
						"superuserChecksAllowed", String.valueOf(updated.allowSuperuserChecks()))));
		return updated;
	}

	@Transactional
	public void remove(long id, Authentication actor) {
		Target target = get(id);
		try {
			this.targets.delete(target);
		}
		catch (org.springframework.dao.DataIntegrityViolationException ex) {
			throw new TargetException("Target '" + target.name() + "' has incident history and cannot be removed.");
		}
		audit(actor, "TARGET_REMOVED", target);
	}

	/**
	 * How long any call to a target may take when nothing more specific is set: a connection is
	 * made (TCP and sign-in) within {@link #CONNECT_TIMEOUT}, a statement ends within
	 * {@link #STATEMENT_TIMEOUT} on the server, and the console stops waiting for an answer
	 * {@link #NETWORK_MARGIN} after that, so a frozen or silent peer cannot hold a request.
	 * Steps set their own statement timeout and widen the socket timeout to match.
	 */
	public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

	public static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);

	public static final Duration LOCK_TIMEOUT = Duration.ofSeconds(2);

	public static final Duration NETWORK_MARGIN = Duration.ofSeconds(2);

	/**
	 * The SQLSTATE of a refusal by the console itself, before anything reached the target (class Z
	 * is left to implementations; PostgreSQL uses none of it): explained as the console's, not the server's.
	 */
	public static final String REFUSED_BY_CONSOLE = "ZB001";

	/**
	 * Opens a connection to the target, named after its purpose in {@code pg_stat_activity}
	 * (e.g. "backout incident 7") so people on the target see who is connected. Every limit of
	 * {@link #CONNECT_TIMEOUT} and friends applies from the first byte; the timeouts travel in the
	 * start-up packet, so they cost no extra round trip.
	 */
	public Connection connect(Target target, String applicationName) throws SQLException {
		return connect(target, target.username(), target.passwordEncrypted(), applicationName);
	}

	/**
	 * A connection for checks: as the target's read-only credential when it has one. Refused when
	 * the role is a superuser (the server says so in its start-up parameters) unless an admin
	 * allowed it for this target: a superuser's READ ONLY transaction still reads files, runs
	 * programs and ends other sessions.
	 */
	public Connection connectForChecks(Target target, String applicationName) throws SQLException {
		Connection connection = (target.checkUsername() != null)
				? connect(target, target.checkUsername(), target.checkPasswordEncrypted(), applicationName)
				: connect(target, applicationName);
		boolean superuser = "on".equals(connection.unwrap(org.postgresql.PGConnection.class).getParameterStatus("is_superuser"));
		if (superuser && !target.allowSuperuserChecks()) {
			connection.close();
			throw new SQLException("Checks on target " + target.name() + " would run as " + target.checkRole()
					+ ", a superuser, whom a READ ONLY transaction does not stop: nothing was run. Give the target a read-only "
					+ "credential for checks, or let an admin allow superuser checks for it.", REFUSED_BY_CONSOLE);
		}
		return connection;
	}

	private Connection connect(Target target, String username, byte[] passwordEncrypted, String applicationName)
			throws SQLException {
		try {
			// A target saved before the allow-list existed is refused here, before any byte is sent.
			TargetUrl.requireAllowed(target.jdbcUrl());
		}
		catch (TargetException ex) {
			throw new SQLException("Target " + target.name() + ": " + ex.getMessage() + " Edit the target.", REFUSED_BY_CONSOLE, ex);
		}
		Properties properties = new Properties();
		properties.setProperty("user", username);
		if (passwordEncrypted != null) {
			properties.setProperty("password", this.cipher.decrypt(passwordEncrypted));
		}
		properties.setProperty("ApplicationName", applicationName);
		properties.setProperty("connectTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
		properties.setProperty("loginTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
		properties.setProperty("socketTimeout", String.valueOf(STATEMENT_TIMEOUT.plus(NETWORK_MARGIN).toSeconds()));
		properties.setProperty("cancelSignalTimeout", String.valueOf(CONNECT_TIMEOUT.toSeconds()));
		properties.setProperty("tcpKeepAlive", "true");
		// Extended protocol: the server parses each statement on its own and refuses a second command in it.
		properties.setProperty("preferQueryMode", "extended");
		properties.setProperty("options", "-c statement_timeout=" + STATEMENT_TIMEOUT.toMillis() + " -c lock_timeout="
				+ LOCK_TIMEOUT.toMillis() + " -c idle_in_transaction_session_timeout=" + Duration.ofMinutes(10).toMillis()
				+ " -c standard_conforming_strings=on");
		return DriverManager.getConnection(target.jdbcUrl(), properties);
	}

	/**
	 * The database behind a target, as the server itself names it (its cluster's system
	 * identifier and the database name): two registrations of one database share it.
	 */
	public String databaseKey(Target target) {
		try (Connection connection = connect(target, "backout identity")) {
			return databaseKey(connection);
		}
		catch (SQLException ex) {
			throw new TargetException("Cannot reach target " + target.name() + " to identify its database: "
					+ ex.getMessage());
		}
	}

	/** The SQL expression of {@link #databaseKey(Target)}, for queries that read it along with other things. */
	public static final String DATABASE_KEY = "(SELECT system_identifier FROM pg_control_system())::text || '/' || current_database()";

	/** {@link #databaseKey(Target)} read on an open connection. */
	public static String databaseKey(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement
			.executeQuery("SELECT " + DATABASE_KEY)) {
			rs.next();
			return rs.getString(1);
		}
	}

	/** Server version, round-trip latency and whether the console could write there. Audited. */
	public ConnectionCheck test(long id, Authentication actor) {
		Target target = get(id);
		ConnectionCheck check;
		long started = System.nanoTime();
		try (Connection connection = connect(target, "backout connection test");
				Statement statement = connection.createStatement()) {
			Duration latency = Duration.ofNanos(System.nanoTime() - started);
			try (ResultSet rs = statement.executeQuery("""
					SELECT current_setting('server_version'),
					       NOT pg_is_in_recovery() AND current_setting('default_transaction_read_only') = 'off'
					       AND (has_database_privilege(current_database(), 'CREATE')
					            OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user))
					""")) {
				rs.next();
				List<ConnectionCheck.RoleReport> roles = new ArrayList<>();
				roles.add(report(connection, "steps", false, target));
				roles.add(checksReport(target));
				check = new ConnectionCheck(true, rs.getString(1), latency, rs.getBoolean(2), null, roles);
			}
		}
		catch (SQLException ex) {
			check = ConnectionCheck.failed(ex.getMessage());
		}
		this.trail.record(AuditEntry.by(actor, "TARGET_CONNECTION_TESTED", Map.of("target", target.name(), "reachable",
				check.reachable(), "canWrite", check.canWrite(), "roles", check.roles().stream()
					.map((role) -> role.purpose() + ": " + role.role() + (role.superuser() ? " (superuser)" : ""))
					.toList())));
		return check;
	}

	private ConnectionCheck.RoleReport checksReport(Target target) {
		if (target.checkUsername() == null) {
			try (Connection connection = connect(target, "backout connection test")) {
				return report(connection, "checks", true, target);
			}
			catch (SQLException ex) {
				return new ConnectionCheck.RoleReport("checks", target.checkRole(), false, List.of(), 0, ex.getMessage());
			}
		}
		try (Connection connection = connect(target, target.checkUsername(), target.checkPasswordEncrypted(),
				"backout connection test")) {
			return report(connection, "checks", true, target);
		}
		catch (SQLException ex) {
			return new ConnectionCheck.RoleReport("checks", target.checkRole(), false, List.of(),
					0, "Cannot connect as the checks credential: " + ex.getMessage());
		}
	}

	/** What the connected role may do, and what an admin should change for its purpose. */
	private static ConnectionCheck.RoleReport report(Connection connection, String purpose, boolean readOnly, Target target)
			throws SQLException {
		try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("""
				SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
				       pg_has_role(current_user, 'pg_read_server_files', 'MEMBER'),
				       pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'),
				       pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER'),
				       pg_has_role(current_user, 'pg_signal_backend', 'MEMBER'),
				       (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
				          AND n.nspname NOT LIKE 'pg_toast%'
				          AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
				               OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE')))
				FROM pg_roles r WHERE r.rolname = current_user
				""")) {
			rs.next();
			String role = rs.getString(1);
			boolean superuser = rs.getBoolean(2);
			List<String> powers = new ArrayList<>();
			String[] names = { "superuser", "creates roles", "creates databases", "bypasses row-level security",
					"reads server files", "writes server files", "runs server programs", "signals other sessions" };
			for (int i = 0; i < names.length; i++) {
				if (rs.getBoolean(i + 2)) {
					powers.add(names[i]);
				}
			}
			long writable = rs.getLong(10);
			// Bypassing row-level security is what a checker needs to count every tenant's rows.
			List<String> concerning = powers.stream().filter((power) -> !power.startsWith("bypasses")).toList();
			String advice;
			if (readOnly && superuser && !target.allowSuperuserChecks()) {
				advice = "Checks are refused: they would run as a superuser. Create a read-only role and enter it as the checks "
						+ "credential: CREATE ROLE backout_reader LOGIN PASSWORD '…'; GRANT pg_read_all_data TO backout_reader;";
			}
			else if (readOnly && (writable > 0 || !concerning.isEmpty())) {
				advice = "Checks should only read, but this role " + (writable > 0 ? "may write " + writable + " tables" : "")
						+ (writable > 0 && !concerning.isEmpty() ? " and " : "") + String.join(", ", concerning)
						+ ". Use a role that holds only pg_read_all_data (or SELECT on the runbooks' schemas).";
			}
			else if (!readOnly && superuser) {
				advice = "Steps run as a superuser: give them a role that owns the runbooks' schemas instead "
						+ "(CREATE ROLE app_owner LOGIN …; ALTER SCHEMA … OWNER TO app_owner), without SUPERUSER.";
			}
			else {
				advice = null;
			}
			return new ConnectionCheck.RoleReport(purpose, role, superuser, powers, writable, advice);
		}
	}

	private void validate(TargetSpec spec) {
		if (!StringUtils.hasText(spec.name()) || !spec.name().matches("[a-z0-9][a-z0-9_-]{0,63}")) {
			throw new TargetException("A target name is lower-case letters, digits, dashes and underscores.");
		}
		if (!StringUtils.hasText(spec.aliasGroup()) || !spec.aliasGroup().matches("[a-z0-9][a-z0-9_-]{0,63}")) {
			throw new TargetException("An alias group is lower-case letters, digits, dashes and underscores.");
		}
		if (spec.environment() == null) {
			throw new TargetException("Choose the environment: production, staging or demo.");
		}
		String url = (spec.jdbcUrl() != null) ? spec.jdbcUrl().trim() : "";
		if (SECRET_IN_URL.matcher(url).find()) {
			throw new TargetException("Put the password in the password field, not in the JDBC URL: URLs are shown and logged.");
		}
		if (!JDBC_URL.matcher(url).matches()) {
			throw new TargetException("The JDBC URL must look like jdbc:postgresql://host:5432/database.");
		}
		TargetUrl.requireAllowed(url);
		if (!StringUtils.hasText(spec.username())) {
			throw new TargetException("The user name is required.");
		}
		if (StringUtils.hasText(spec.checkPassword()) && !StringUtils.hasText(spec.checkUsername())) {
			throw new TargetException("A password for checks needs the user name checks run as.");
		}
	}

	private byte[] encrypt(String password) {
		return StringUtils.hasText(password) ? this.cipher.encrypt(password) : null;
	}

	private void audit(Authentication actor, String action, Target target) {
		Map<String, ?> details = Map.of("target", target.name(), "aliasGroup", target.aliasGroup(), "environment",
				target.environment().name(), "jdbcUrl", target.jdbcUrl(), "username", target.username(), "checksAs",
				target.checkRole(), "superuserChecksAllowed", target.allowSuperuserChecks());
		this.trail.record((actor != null) ? AuditEntry.by(actor, action, details) : AuditEntry.bySystem(action, details));
	}

}
