package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import dev.backout.system.ExecutionLock;
import dev.backout.target.Target;
import dev.backout.target.Targets;

/**
 * One connection to a target that holds the target's execution lock: a session-level advisory
 * lock, taken with try-lock (never a blocking wait) and released by PostgreSQL itself when the
 * backend ends. The connection's application_name names the incident, so "busy with incident N"
 * can be told to the next person, and people on the target see who is connected.
 */
final class TargetSession implements AutoCloseable {

	static final int LOCK_CLASS = ExecutionLock.CLASS_ID;

	static final int LOCK_OBJECT = ExecutionLock.OBJECT_ID;

	static final String APPLICATION_PREFIX = "backout incident ";

	/** How long the console waits for a backend it terminated to be gone. */
	static final Duration BACKEND_EXIT_WAIT = Duration.ofSeconds(5);

	private final TargetConnections connections;

	private final Target target;

	private final Connection connection;

	private final int backendPid;

	private final String databaseKey;

	private TargetSession(TargetConnections connections, Target target, Connection connection, int backendPid,
			String databaseKey) {
		this.connections = connections;
		this.target = target;
		this.connection = connection;
		this.backendPid = backendPid;
		this.databaseKey = databaseKey;
	}

	static String applicationName(long incidentId) {
		return APPLICATION_PREFIX + incidentId;
	}

	/**
	 * Takes the target's execution lock on a kept connection when there is one (a broken one is
	 * replaced before anything is sent), else on a new one.
	 * @throws TargetBusy when another execution holds the target
	 */
	static TargetSession open(TargetConnections connections, Target target, String applicationName) throws SQLException {
		Connection kept = connections.kept(target, TargetConnections.Purpose.STEPS);
		if (kept != null) {
			try {
				kept.setNetworkTimeout(Runnable::run, (int) Targets.CONNECT_TIMEOUT.toMillis());
				return claim(connections, target, kept, applicationName);
			}
			catch (SQLException ex) {
				if (!lost(ex, kept)) {
					throw ex;
				}
				// Broken while it waited (the target restarted, a proxy dropped it): nothing was sent on it.
			}
		}
		return claim(connections, target, connections.open(target, TargetConnections.Purpose.STEPS), applicationName);
	}

	/** Names the session for the incident, then try-locks: who holds the lock can be told by its name. */
	private static TargetSession claim(TargetConnections connections, Target target, Connection connection,
			String applicationName) throws SQLException {
		try {
			int pid;
			String databaseKey;
			boolean locked;
			try (PreparedStatement statement = connection.prepareStatement("""
					SELECT pg_backend_pid(), set_config('application_name', ?, false), pg_try_advisory_lock(?, ?), %s
					""".formatted(Targets.DATABASE_KEY))) {
				statement.setString(1, applicationName);
				statement.setInt(2, LOCK_CLASS);
				statement.setInt(3, LOCK_OBJECT);
				try (ResultSet rs = statement.executeQuery()) {
					rs.next();
					pid = rs.getInt(1);
					locked = rs.getBoolean(3);
					databaseKey = rs.getString(4);
				}
			}
			if (!locked) {
				Optional<Holder> holder = holder(connection);
				throw new TargetBusy(target.name(), holder.orElse(null), applicationName);
			}
			TargetSession session = new TargetSession(connections, target, connection, pid, databaseKey);
			session.limitWaitingToDefault();
			return session;
		}
		catch (SQLException | RuntimeException ex) {
			TargetConnections.close(connection);
			throw ex;
		}
	}

	Connection connection() {
		return this.connection;
	}

	int backendPid() {
		return this.backendPid;
	}

	String databaseKey() {
		return this.databaseKey;
	}

	/**
	 * The attempt whose marker the target holds for this step, if any attempt committed. Creates
	 * the marker table on the first step a database sees, rather than asking for it on every step.
	 */
	Optional<Integer> committedAttempt(long incidentId, String stepId) throws SQLException {
		try (PreparedStatement query = this.connection.prepareStatement("""
				SELECT attempt FROM backout.applied_step WHERE incident_id = ? AND step_id = ? ORDER BY attempt LIMIT 1""")) {
			query.setLong(1, incidentId);
			query.setString(2, stepId);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
			}
		}
		catch (SQLException ex) {
			if ("42P01".equals(ex.getSQLState()) || "3F000".equals(ex.getSQLState())) {
				createMarkerTable(); // no marker table: nothing was ever committed here
				return Optional.empty();
			}
			throw ex;
		}
	}

	private void createMarkerTable() throws SQLException {
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("""
					CREATE SCHEMA IF NOT EXISTS backout;
					CREATE TABLE IF NOT EXISTS backout.applied_step (
					  incident_id bigint NOT NULL,
					  step_id text NOT NULL,
					  attempt integer NOT NULL,
					  applied_at timestamptz NOT NULL DEFAULT now(),
					  PRIMARY KEY (incident_id, step_id, attempt))""");
		}
	}

	/** Whether the target holds the marker of exactly this attempt. */
	static boolean committed(Connection connection, long incidentId, String stepId, int attempt) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(
				"SELECT 1 FROM backout.applied_step WHERE incident_id = ? AND step_id = ? AND attempt = ?")) {
			query.setLong(1, incidentId);
			query.setString(2, stepId);
			query.setInt(3, attempt);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next();
			}
		}
		catch (SQLException ex) {
			if ("42P01".equals(ex.getSQLState()) || "3F000".equals(ex.getSQLState())) {
				return false; // no marker table: nothing was ever committed here
			}
			throw ex;
		}
	}

	/** Writes the marker in the step's own transaction: it commits exactly when the step does. */
	void writeMarker(long incidentId, String stepId, int attempt) throws SQLException {
		try (PreparedStatement insert = this.connection
			.prepareStatement("INSERT INTO backout.applied_step (incident_id, step_id, attempt) VALUES (?, ?, ?)")) {
			insert.setLong(1, incidentId);
			insert.setString(2, stepId);
			insert.setInt(3, attempt);
			insert.executeUpdate();
		}
	}

	/**
	 * Ends every backend of incident {@code incidentId}'s step sessions still on the target and
	 * waits until they are gone: only then has their transaction certainly committed or rolled
	 * back, so only then can the marker be believed. False when one outlived the wait.
	 */
	static boolean endBackends(Connection connection, long incidentId) throws SQLException {
		try (PreparedStatement terminate = connection.prepareStatement("""
				SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE application_name = ? AND datname = current_database() AND pid <> pg_backend_pid()""")) {
			terminate.setString(1, applicationName(incidentId));
			terminate.executeQuery().close();
		}
		long deadline = System.nanoTime() + BACKEND_EXIT_WAIT.toNanos();
		try (PreparedStatement alive = connection.prepareStatement(
				"SELECT 1 FROM pg_stat_activity WHERE application_name = ? AND datname = current_database() "
						+ "AND pid <> pg_backend_pid()")) {
			alive.setString(1, applicationName(incidentId));
			while (true) {
				try (ResultSet rs = alive.executeQuery()) {
					if (!rs.next()) {
						return true;
					}
				}
				if (System.nanoTime() > deadline) {
					return false;
				}
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
		}
	}

	/**
	 * Whether {@code ex} means the session itself is gone (connection broken, socket timeout, the
	 * backend terminated or the server shutting down), so that the server's verdict on the open
	 * transaction, COMMIT included, never reached the console.
	 */
	static boolean lost(SQLException ex, Connection connection) {
		String state = String.valueOf(ex.getSQLState());
		if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
			return true;
		}
		try {
			return connection.isClosed();
		}
		catch (SQLException closed) {
			return true;
		}
	}

	/** Rolls back without letting a broken connection's error replace the one that caused it. */
	static void rollbackQuietly(Connection connection) {
		try {
			if (connection.isClosed()) {
				return;
			}
			connection.rollback();
			connection.setAutoCommit(true);
		}
		catch (SQLException ex) {
			// The connection is gone: the server rolls back an open transaction when its backend ends.
		}
	}

	/** The console stops waiting for an answer this long after the statement timeout: a frozen peer holds nothing. */
	void limitWaitingTo(long statementTimeoutMillis) throws SQLException {
		long millis = statementTimeoutMillis + Targets.NETWORK_MARGIN.toMillis();
		this.connection.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, millis));
	}

	/** Back to the default socket timeout, so closing (unlock) is bounded like any other call. */
	void limitWaitingToDefault() {
		try {
			this.connection.setNetworkTimeout(Runnable::run,
					(int) Targets.STATEMENT_TIMEOUT.plus(Targets.NETWORK_MARGIN).toMillis());
		}
		catch (SQLException ex) {
			// The connection is gone; closing it waits for nothing.
		}
	}

	/** Drops the connection at once, without a word to the server (which may not be answering). */
	void abort() {
		try {
			this.connection.abort(Runnable::run);
		}
		catch (SQLException ex) {
			// Already gone.
		}
	}

	/** Who holds the target's execution lock, as far as this role may see. */
	static Optional<Holder> holder(Connection connection) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("""
				SELECT l.pid, a.application_name FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
				WHERE l.locktype = 'advisory' AND l.classid = ? AND l.objid = ? AND l.objsubid = 2 AND l.granted
				""")) {
			query.setLong(1, LOCK_CLASS);
			query.setLong(2, LOCK_OBJECT);
			try (ResultSet rs = query.executeQuery()) {
				return rs.next() ? Optional.of(new Holder(rs.getInt(1), rs.getString(2))) : Optional.empty();
			}
		}
	}

	/** The backend that holds a target's execution lock; its application name may be hidden from this role. */
	record Holder(int pid, String applicationName) {

		/** "incident 7", or the backend's pid when it does not say. */
		String describe() {
			if (this.applicationName != null && this.applicationName.startsWith(APPLICATION_PREFIX)) {
				return "incident " + this.applicationName.substring(APPLICATION_PREFIX.length());
			}
			if (this.applicationName != null && !this.applicationName.isBlank()) {
				return "\"" + this.applicationName + "\" (pid " + this.pid + ")";
			}
			return "another session (pid " + this.pid + ")";
		}

	}

	/**
	 * Gives the connection back when the step ended cleanly ({@code DISCARD ALL} releases the
	 * lock). Otherwise releases the lock explicitly, then closes: closing alone returns before the
	 * server backend exits, and the next step's try-lock could still see this lock. An open
	 * transaction (a step that died half-way) is rolled back by the server when the connection closes.
	 */
	@Override
	public void close() {
		if (this.connections.giveBack(this.target, TargetConnections.Purpose.STEPS, this.connection)) {
			return;
		}
		try (Statement statement = this.connection.createStatement()) {
			statement.execute("SELECT pg_advisory_unlock(" + LOCK_CLASS + ", " + LOCK_OBJECT + ")");
		}
		catch (SQLException ex) {
			// The connection is broken: the server releases the lock when the backend ends.
		}
		finally {
			try {
				this.connection.close();
			}
			catch (SQLException ex) {
				// Already broken; nothing more to release.
			}
		}
	}

}
