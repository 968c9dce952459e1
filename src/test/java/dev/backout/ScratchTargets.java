package dev.backout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

import dev.backout.system.DemoTarget;
import dev.backout.target.Environment;
import dev.backout.target.Target;
import dev.backout.target.Targets;

import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;

/**
 * Fresh databases on the test server, registered as targets, for execution tests that need a
 * target of their own; and unique incident numbers. Not a bean: test sources are on the class
 * path of every application context a test starts.
 */
public class ScratchTargets {

	public static final Authentication COMMANDER = new TestingAuthenticationToken("commander", null, "ROLE_COMMANDER");

	private static final AtomicLong incidents = new AtomicLong(System.currentTimeMillis() % 1_000_000_000L * 100);

	private final DemoTarget demo;

	private final Targets targets;

	public ScratchTargets(DemoTarget demo, Targets targets) {
		this.demo = demo;
		this.targets = targets;
	}

	public static long nextIncident() {
		return incidents.incrementAndGet();
	}

	/** A new empty database, registered as a target, with {@code setupSql} applied. */
	public Target create(String name, String setupSql) throws SQLException {
		String database = "scratch_" + name.replace('-', '_');
		try (Connection admin = connect("postgres"); Statement statement = admin.createStatement()) {
			statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
			statement.execute("CREATE DATABASE " + database);
		}
		try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
			statement.execute(setupSql);
		}
		return register(name, url(database));
	}

	/**
	 * Registers (or re-points) a scratch target at {@code url}. Scratch databases are reached as the
	 * test server's superuser, so their checks are allowed to run as one.
	 */
	public Target register(String name, String url) {
		var spec = new Targets.TargetSpec(name, "scratch", Environment.STAGING, url, this.demo.username(),
				this.demo.password()).allowingSuperuserChecks();
		return this.targets.findByName(name)
			.map((existing) -> this.targets.update(existing.id(), spec, COMMANDER))
			.orElseGet(() -> this.targets.register(spec, COMMANDER));
	}

	/** The database behind {@code direct}, registered as {@code name} to be reached only through {@code link}. */
	public Target through(FaultyLink link, Target direct, String name) {
		return register(name, direct.jdbcUrl().replaceFirst("://[^/]+/", "://127.0.0.1:" + link.port() + "/"));
	}

	/** A link to the server behind {@code direct}, to cut, freeze or partition. */
	public static FaultyLink linkTo(Target direct) throws java.io.IOException {
		return new FaultyLink(java.net.URI.create(direct.jdbcUrl().substring("jdbc:".length())).getPort());
	}

	public Connection connect(String database) throws SQLException {
		return DriverManager.getConnection(url(database), this.demo.username(), this.demo.password());
	}

	public Connection connect(Target target) throws SQLException {
		return DriverManager.getConnection(target.jdbcUrl(), this.demo.username(), this.demo.password());
	}

	private String url(String database) {
		return this.demo.jdbcUrl().replaceFirst("/" + DemoTarget.DATABASE + "(\\?|$)", "/" + database + "$1");
	}


}
