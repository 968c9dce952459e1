package dev.backout.execution;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.backout.target.Target;
import dev.backout.target.Targets;
import jakarta.annotation.PreDestroy;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps the step connection of a target, and the one of its checks, open for a short while after
 * a step, so the next step does not pay for a new server backend: connecting is most of what a
 * short step costs. At most one idle connection per target and purpose (steps on a target run
 * one at a time anyway), closed after
 * {@code backout.execution.target-idle} (30 s), when the target is edited, and at shutdown.
 * <p>
 * A connection comes back only from a step that ended cleanly: no transaction open, and
 * {@code DISCARD ALL} succeeded, which drops whatever the step left in the session (settings,
 * role, temporary tables, prepared statements) and releases every session lock, the execution
 * lock included. Anything else is closed, so the server rolls it back as before.
 */
@Component
class TargetConnections {

	/**
	 * What a kept connection is for: steps connect as the target's step role (a step renames the
	 * session for its incident), checks as its checks role. The name is what an idle one shows on the target.
	 */
	enum Purpose {

		STEPS("backout steps"), CHECKS("backout checks");

		private final String idleName;

		Purpose(String idleName) {
			this.idleName = idleName;
		}

		String idleName() {
			return this.idleName;
		}

	}

	private final Targets targets;

	private final Duration idleFor;

	private final Map<Key, Idle> idle = new ConcurrentHashMap<>();

	TargetConnections(Targets targets, @Value("${backout.execution.target-idle:30s}") Duration idleFor) {
		this.targets = targets;
		this.idleFor = idleFor;
	}

	/** An idle connection to {@code target} for {@code purpose} if one is kept for its current settings, or null. */
	Connection kept(Target target, Purpose purpose) {
		Idle kept = this.idle.remove(new Key(target.id(), purpose));
		if (kept == null) {
			return null;
		}
		if (!kept.stamp().equals(Stamp.of(target)) || kept.expired(this.idleFor)) {
			close(kept.connection());
			return null;
		}
		return kept.connection();
	}

	/**
	 * A new connection for {@code purpose}; one for checks is refused for a superuser unless
	 * allowed ({@link Targets#connectForChecks}).
	 */
	Connection open(Target target, Purpose purpose) throws SQLException {
		return (purpose == Purpose.STEPS) ? this.targets.connect(target, purpose.idleName())
				: this.targets.connectForChecks(target, purpose.idleName());
	}

	/**
	 * Takes {@code connection} back after a step or check that ended cleanly; false when it did
	 * not, and the caller must release and close it. A connection reset but not needed (one to
	 * the target is kept already) is closed here.
	 */
	boolean giveBack(Target target, Purpose purpose, Connection connection) {
		if (!reset(connection, purpose.idleName())) {
			return false;
		}
		if (this.idle.putIfAbsent(new Key(target.id(), purpose), new Idle(connection, Stamp.of(target), System.nanoTime())) != null) {
			close(connection);
		}
		return true;
	}

	private static boolean reset(Connection connection, String idleName) {
		try {
			if (connection.isClosed() || !connection.getAutoCommit()) {
				return false;
			}
			try (Statement statement = connection.createStatement()) {
				// DISCARD ALL empties application_name too: name it idle again, in the same round trip.
				statement.execute("DISCARD ALL; SET application_name = '" + idleName + "'");
			}
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

	@Scheduled(fixedDelayString = "${backout.execution.target-idle:30s}")
	void closeIdle() {
		this.idle.forEach((id, kept) -> {
			if (kept.expired(this.idleFor) && this.idle.remove(id, kept)) {
				close(kept.connection());
			}
		});
	}

	@PreDestroy
	void closeAll() {
		this.idle.forEach((id, kept) -> {
			if (this.idle.remove(id, kept)) {
				close(kept.connection());
			}
		});
	}

	static void close(Connection connection) {
		try {
			connection.close();
		}
		catch (SQLException ex) {
			// Already broken: nothing is held on a connection that is gone.
		}
	}

	private record Key(long targetId, Purpose purpose) {
	}

	/** What the connection was opened with: an edited target gets a new connection. */
	private record Stamp(String jdbcUrl, String username, String checkUsername, boolean allowSuperuserChecks,
			Instant updatedAt) {

		static Stamp of(Target target) {
			return new Stamp(target.jdbcUrl(), target.username(), target.checkUsername(), target.allowSuperuserChecks(),
					target.updatedAt());
		}

	}

	private record Idle(Connection connection, Stamp stamp, long since) {

		boolean expired(Duration idleFor) {
			return System.nanoTime() - this.since > idleFor.toNanos();
		}

	}

}
