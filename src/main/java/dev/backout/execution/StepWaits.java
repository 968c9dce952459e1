package dev.backout.execution;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;

import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.stereotype.Component;

/**
 * What a running step waits for, watched while it runs: once a step has run for a second, a
 * watcher asks the target every second (on a connection of its own, opened only then) for the
 * step's backend's wait event and who blocks it. The incident page reads the answer from memory,
 * so its refresh never touches the target. Kept in this instance's memory: another instance
 * behind a load balancer shows the step as running without it.
 */
@Component
class StepWaits {

	private final Targets targets;

	private final Map<Long, String> waits = new ConcurrentHashMap<>();

	private final ScheduledExecutorService watchers = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread thread = new Thread(task, "backout-step-watcher");
		thread.setDaemon(true);
		return thread;
	});

	StepWaits(Targets targets) {
		this.targets = targets;
	}

	Optional<String> of(long incidentId) {
		return Optional.ofNullable(this.waits.get(incidentId));
	}

	/** Watches the backend {@code pid} of the incident's running step until the returned watch is closed. */
	Watch watch(long incidentId, Target target, int pid) {
		Watcher watcher = new Watcher(incidentId, target, pid);
		watcher.future = this.watchers.scheduleWithFixedDelay(watcher::look, 1, 1, TimeUnit.SECONDS);
		return () -> {
			watcher.future.cancel(false);
			this.watchers.execute(watcher::close);
			this.waits.remove(incidentId);
		};
	}

	interface Watch extends AutoCloseable {

		@Override
		void close();

	}

	@PreDestroy
	void stop() {
		this.watchers.shutdownNow();
	}

	private final class Watcher {

		private final long incidentId;

		private final Target target;

		private final int pid;

		private Connection connection;

		private ScheduledFuture<?> future;

		Watcher(long incidentId, Target target, int pid) {
			this.incidentId = incidentId;
			this.target = target;
			this.pid = pid;
		}

		void look() {
			try {
				if (this.connection == null) {
					this.connection = StepWaits.this.targets.connect(this.target, "backout watch " + this.incidentId);
				}
				StepWaits.this.waits.put(this.incidentId, describe());
			}
			catch (SQLException ex) {
				StepWaits.this.waits.put(this.incidentId, "its state cannot be read now");
				close();
			}
		}

		private String describe() throws SQLException {
			try (PreparedStatement statement = this.connection.prepareStatement("""
					SELECT wait_event_type, wait_event, pg_blocking_pids(pid) FROM pg_stat_activity WHERE pid = ?""")) {
				statement.setInt(1, this.pid);
				try (ResultSet rs = statement.executeQuery()) {
					if (!rs.next()) {
						return "finishing";
					}
					String type = rs.getString(1);
					Array blocking = rs.getArray(3);
					Integer[] blockers = (blocking != null) ? (Integer[]) blocking.getArray() : new Integer[0];
					if ("Lock".equals(type) && blockers.length > 0) {
						return "waiting for a lock (" + rs.getString(2) + ") held by " + String.join("; ", blockers(blockers));
					}
					return (type == null) ? "working" : "waiting on " + type + " (" + rs.getString(2) + ")";
				}
			}
		}

		private List<String> blockers(Integer[] pids) throws SQLException {
			List<String> described = new ArrayList<>();
			try (PreparedStatement statement = this.connection.prepareStatement("""
					SELECT pid, usename, coalesce(nullif(application_name, ''), client_addr::text, 'local'), state,
					       extract(epoch FROM now() - coalesce(xact_start, query_start))::bigint
					FROM pg_stat_activity WHERE pid = ANY(?) ORDER BY pid""")) {
				statement.setArray(1, this.connection.createArrayOf("int4", pids));
				try (ResultSet rs = statement.executeQuery()) {
					while (rs.next()) {
						described.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ", " + rs.getString(4)
								+ " for " + rs.getLong(5) + " s)");
					}
				}
			}
			return described.isEmpty() ? List.of("pid " + pids[0]) : described;
		}

		void close() {
			try {
				if (this.connection != null) {
					this.connection.close();
				}
			}
			catch (SQLException ignored) {
				// The watch ends either way; the step's outcome does not depend on it.
			}
			this.connection = null;
		}

	}

}
