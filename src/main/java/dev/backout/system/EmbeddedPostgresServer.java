package dev.backout.system;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server run by the console itself, with a persistent data directory.
 * Superuser {@code postgres}, trust authentication, listening on localhost only, durable (fsync
 * and synchronous commit on: the journal and the trail must survive a crash). The console holds
 * an OS lock on the directory for its whole life; a server found running there without that lock
 * was left by a console that died, and is stopped before a new one starts.
 */
public final class EmbeddedPostgresServer implements Closeable {

	private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

	/** Beside the data directory, not in it: initdb wants an empty directory. */
	static final String CONSOLE_LOCK_SUFFIX = ".console-lock";

	static final String PORT_SUFFIX = ".port";

	private final EmbeddedPostgres postgres;

	private final Path dataDir;

	private final FileChannel consoleLock;

	private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, FileChannel consoleLock) {
		this.postgres = postgres;
		this.dataDir = dataDir;
		this.consoleLock = consoleLock;
	}

	/**
	 * Starts the server on {@code dataDir}, creating and initialising the directory on first use.
	 * @throws EmbeddedDatabaseException with a one-line explanation when the directory cannot be
	 * used or another running console holds it
	 */
	public static EmbeddedPostgresServer start(Path dataDir, int port, boolean cleanOnExit) {
		Path dir = dataDir.toAbsolutePath().normalize();
		prepareDirectory(dir);
		FileChannel lock = lockForThisConsole(dir);
		try {
			LeftoverServer.stopIfRunning(dir);
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(dir)
				.setCleanDataDirectory(cleanOnExit)
				.setRegisterShutdownHook(false)
				.setPGStartupWait(Duration.ofSeconds(60))
				.setServerConfig("listen_addresses", "localhost")
				.setServerConfig("max_connections", "200")
				// The library turns both off for speed; the console's journal and trail must be durable.
				.setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("full_page_writes", "on");
			int chosen = (port > 0) ? port : previousPortIfFree(dir);
			if (chosen > 0) {
				builder.setPort(chosen);
			}
			EmbeddedPostgresServer server = new EmbeddedPostgresServer(builder.start(), dir, lock);
			lock = null;
			rememberPort(dir, server.port());
			log.info("Embedded PostgreSQL started on port {} with data directory {}", server.port(), dir);
			return server;
		}
		catch (OverlappingFileLockException ex) {
			throw inUse(dir);
		}
		catch (IllegalStateException ex) {
			if (String.valueOf(ex.getMessage()).contains("could not lock")) {
				throw inUse(dir);
			}
			throw new EmbeddedDatabaseException("The embedded PostgreSQL could not start in " + dir + ": "
					+ ex.getMessage(), ex);
		}
		catch (IOException ex) {
			throw new EmbeddedDatabaseException("The embedded PostgreSQL could not start in " + dir + ": "
					+ ex.getMessage(), ex);
		}
		finally {
			release(lock);
		}
	}

	/**
	 * The port the server had last time, if nothing listens on it now: the demo target's URL (and
	 * so the plans approved on it, which name it) stays the same across restarts.
	 */
	private static int previousPortIfFree(Path dir) {
		Path file = dir.resolveSibling(dir.getFileName() + PORT_SUFFIX);
		try {
			int previous = Integer.parseInt(Files.readString(file).trim());
			try (java.net.ServerSocket probe = new java.net.ServerSocket(previous, 1, java.net.InetAddress.getLoopbackAddress())) {
				return previous;
			}
		}
		catch (IOException | NumberFormatException ex) {
			return 0;
		}
	}

	private static void rememberPort(Path dir, int port) {
		try {
			Files.writeString(dir.resolveSibling(dir.getFileName() + PORT_SUFFIX), Integer.toString(port));
		}
		catch (IOException ex) {
			log.warn("Could not remember the embedded PostgreSQL's port next to {}: {}", dir, ex.getMessage());
		}
	}

	/**
	 * The OS releases this lock when the console's process ends, however it ends: holding it
	 * proves that no other live console uses the directory.
	 */
	private static FileChannel lockForThisConsole(Path dir) {
		FileChannel channel = null;
		try {
			channel = FileChannel.open(dir.resolveSibling(dir.getFileName() + CONSOLE_LOCK_SUFFIX), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE);
			if (channel.tryLock() == null) {
				channel.close();
				throw inUse(dir);
			}
			return channel;
		}
		catch (OverlappingFileLockException ex) {
			release(channel);
			throw inUse(dir);
		}
		catch (IOException ex) {
			release(channel);
			throw new EmbeddedDatabaseException("The data directory " + dir + " cannot be locked: " + ex.getMessage(), ex);
		}
	}

	private static void release(FileChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// Closing releases the lock; nothing more to do.
			}
		}
	}

	private static void prepareDirectory(Path dir) {
		try {
			Files.createDirectories(dir);
		}
		catch (IOException | SecurityException ex) {
			throw new EmbeddedDatabaseException("The data directory " + dir + " cannot be created ("
					+ ex.getClass().getSimpleName() + ": " + ex.getMessage() + ").", ex);
		}
		if (!Files.isWritable(dir)) {
			throw new EmbeddedDatabaseException("The data directory " + dir + " is not writable.", null);
		}
	}

	private static EmbeddedDatabaseException inUse(Path dir) {
		return new EmbeddedDatabaseException(
				"The data directory " + dir + " is in use by another running Backout console.", null);
	}

	public int port() {
		return this.postgres.getPort();
	}

	public Path dataDir() {
		return this.dataDir;
	}

	public String jdbcUrl(String database) {
		return "jdbc:postgresql://localhost:" + port() + "/" + database;
	}

	public String username() {
		return "postgres";
	}

	/** Creates {@code database} unless it exists; database names come from configuration only. */
	public void ensureDatabase(String database) {
		if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
			throw new IllegalArgumentException("Not a plain database name: " + database);
		}
		try (Connection connection = this.postgres.getPostgresDatabase().getConnection();
				PreparedStatement exists = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
			exists.setString(1, database);
			try (ResultSet rs = exists.executeQuery()) {
				if (rs.next()) {
					return;
				}
			}
			try (Statement create = connection.createStatement()) {
				create.execute("create database " + database);
			}
		}
		catch (SQLException ex) {
			throw new EmbeddedDatabaseException("Cannot create database " + database + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Creates the console's own login role unless it exists: not a superuser, so that what the
	 * database refuses it (changing the trail) stays refused.
	 */
	public void ensureRole(String role) {
		if (!role.matches("[a-z_][a-z0-9_]{0,62}")) {
			throw new IllegalArgumentException("Not a plain role name: " + role);
		}
		try (Connection connection = this.postgres.getPostgresDatabase().getConnection();
				PreparedStatement exists = connection.prepareStatement("select 1 from pg_roles where rolname = ?")) {
			exists.setString(1, role);
			try (ResultSet rs = exists.executeQuery()) {
				if (rs.next()) {
					return;
				}
			}
			try (Statement create = connection.createStatement()) {
				create.execute("create role " + role + " login nosuperuser nocreaterole");
			}
		}
		catch (SQLException ex) {
			throw new EmbeddedDatabaseException("Cannot create role " + role + ": " + ex.getMessage(), ex);
		}
	}

	@Override
	public void close() throws IOException {
		try {
			this.postgres.close();
			log.info("Embedded PostgreSQL stopped");
		}
		finally {
			release(this.consoleLock);
		}
	}

}
