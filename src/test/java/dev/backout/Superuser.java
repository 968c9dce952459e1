package dev.backout;

import dev.backout.system.DemoTarget;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The test server's superuser (the demo target's account), for what the console's own role may not do. */
public final class Superuser {

	private Superuser() {
	}

	/** On the console's own database, the one {@code console} is connected to. */
	public static JdbcClient onConsoleDatabase(DemoTarget demo, JdbcClient console) {
		String database = console.sql("select current_database()").query(String.class).single();
		return JdbcClient.create(new DriverManagerDataSource(url(demo, database), demo.username(), demo.password()));
	}

	/** The test server's address for {@code database}. */
	public static String url(DemoTarget demo, String database) {
		return demo.jdbcUrl().replaceFirst("/" + DemoTarget.DATABASE + "(\\?|$)", "/" + database + "$1");
	}

}
