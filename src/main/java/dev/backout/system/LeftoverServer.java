package dev.backout.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server still running on a data directory whose console died (kill -9 leaves the
 * daemonised postmaster behind). Only called while holding the directory's console lock, so no
 * live console owns it: it is shut down (fast, then immediate) before a new server starts.
 */
final class LeftoverServer {

	private static final Logger log = LoggerFactory.getLogger(LeftoverServer.class);

	private static final Duration FAST_SHUTDOWN = Duration.ofSeconds(10);

	private static final Duration IMMEDIATE_SHUTDOWN = Duration.ofSeconds(5);

	private LeftoverServer() {
	}

	static void stopIfRunning(Path dataDir) {
		Optional<ProcessHandle> postmaster = postmaster(dataDir);
		if (postmaster.isEmpty()) {
			return;
		}
		long pid = postmaster.get().pid();
		signal(pid, "INT");
		if (!exits(postmaster.get(), FAST_SHUTDOWN)) {
			signal(pid, "QUIT");
			if (!exits(postmaster.get(), IMMEDIATE_SHUTDOWN)) {
				throw new EmbeddedDatabaseException("A PostgreSQL server (pid " + pid + ") left running on " + dataDir
						+ " by a console that ended does not stop; stop it by hand.", null);
			}
		}
		log.warn("Stopped the embedded PostgreSQL (pid {}) that a console which ended without shutting down left running "
				+ "on {}", pid, dataDir);
	}

	/**
	 * The live postmaster named by the directory's postmaster.pid, if that process is a PostgreSQL
	 * server started on this very directory (after a reboot the pid may belong to another one).
	 */
	static Optional<ProcessHandle> postmaster(Path dataDir) {
		Path pidFile = dataDir.resolve("postmaster.pid");
		if (!Files.isRegularFile(pidFile)) {
			return Optional.empty();
		}
		try {
			List<String> lines = Files.readAllLines(pidFile);
			if (lines.isEmpty() || !lines.get(0).strip().matches("\\d{1,10}")) {
				return Optional.empty();
			}
			return ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
				.filter(ProcessHandle::isAlive)
				.filter((process) -> process.info().command().map((command) -> command.contains("postgres")).orElse(false))
				.filter((process) -> process.info().commandLine().map((line) -> line.contains(dataDir.toString())).orElse(false));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

	private static void signal(long pid, String signal) {
		try {
			new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start().waitFor();
		}
		catch (IOException ex) {
			throw new EmbeddedDatabaseException("Cannot signal the PostgreSQL server (pid " + pid + ") left running: "
					+ ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static boolean exits(ProcessHandle process, Duration wait) {
		try {
			process.onExit().get(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
			return true;
		}
		catch (java.util.concurrent.TimeoutException ex) {
			return !process.isAlive();
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return !process.isAlive();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return !process.isAlive();
		}
	}

}
