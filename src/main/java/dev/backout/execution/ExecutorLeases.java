package dev.backout.execution;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.stereotype.Component;

/**
 * Tells, across console instances, whether a console is still executing a step of an incident:
 * the executing console holds a session-level advisory lock in the console database for as long
 * as the step runs, and PostgreSQL releases it when that console dies. Settlement touches a step
 * left STARTED only when its lease is free, so it never ends the target session of a step that a
 * live console is still running.
 */
@Component
class ExecutorLeases {

	/** "BKLS". */
	static final int LEASE_CLASS = 0x424B4C53;

	private final DataSource dataSource;

	ExecutorLeases(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * Takes the lease of {@code incidentId}, trying again for up to {@code patience}: a settlement
	 * pass that found the incident's previous step STARTED just before it ended holds the lease for
	 * a statement or two, and must not turn the next step away. A step that really runs holds it longer.
	 */
	Optional<Lease> take(long incidentId, Duration patience) {
		long deadline = System.nanoTime() + patience.toNanos();
		while (true) {
			Optional<Lease> lease = take(incidentId);
			if (lease.isPresent() || System.nanoTime() > deadline) {
				return lease;
			}
			try {
				Thread.sleep(25);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return Optional.empty();
			}
		}
	}

	/** Takes the lease of {@code incidentId}, or empty when a live console holds it. */
	Optional<Lease> take(long incidentId) {
		Connection connection = null;
		try {
			connection = this.dataSource.getConnection();
			if (lock(connection, "pg_try_advisory_lock", incidentId)) {
				return Optional.of(new Lease(connection, incidentId));
			}
			connection.close();
			return Optional.empty();
		}
		catch (SQLException ex) {
			close(connection);
			throw new ConsoleDatabaseUnavailable(ex);
		}
	}

	private static boolean lock(Connection connection, String function, long incidentId) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement("SELECT " + function + "(?, ?)")) {
			statement.setInt(1, LEASE_CLASS);
			statement.setInt(2, Long.hashCode(incidentId));
			try (ResultSet rs = statement.executeQuery()) {
				rs.next();
				return rs.getBoolean(1);
			}
		}
	}

	private static void close(Connection connection) {
		if (connection != null) {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// Broken: the server released the lock with the session.
			}
		}
	}

	/** A held lease; closing it releases the lock and returns the connection to the pool. */
	static final class Lease implements AutoCloseable {

		private final Connection connection;

		private final long incidentId;

		private Lease(Connection connection, long incidentId) {
			this.connection = connection;
			this.incidentId = incidentId;
		}

		@Override
		public void close() {
			try {
				if (lock(this.connection, "pg_advisory_unlock", this.incidentId)) {
					this.connection.close();
					return;
				}
			}
			catch (SQLException ex) {
				// Below: the session must not go back to the pool still holding the lock.
			}
			try {
				this.connection.abort(Runnable::run);
			}
			catch (SQLException ex) {
				// Already gone, and with it the lock.
			}
		}

	}

}
