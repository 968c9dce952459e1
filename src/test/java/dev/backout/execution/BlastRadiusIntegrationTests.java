package dev.backout.execution;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import dev.backout.IntegrationTest;
import dev.backout.ScratchTargets;
import dev.backout.system.DemoTarget;
import dev.backout.target.Target;
import dev.backout.target.Targets;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12: a delete of 80 users also removed 696 conversations, unseen. Before a destructive
 * step's confirmation, the console reads what it would remove beyond its counted rows.
 */
@IntegrationTest
class BlastRadiusIntegrationTests {

	@Autowired
	DemoTarget demo;

	@Autowired
	Targets targets;

	@Test
	void aDeleteShowsTheRowsItsForeignKeysCascadeToAndDropsShowTablesViewsAndConstraints() throws Exception {
		ScratchTargets scratch = new ScratchTargets(this.demo, this.targets);
		Target target = scratch.create("blast-" + System.nanoTime() % 1_000_000, """
				CREATE TABLE users (id int PRIMARY KEY, email text);
				CREATE TABLE conversations (id serial PRIMARY KEY, user_id int REFERENCES users ON DELETE CASCADE);
				CREATE TABLE audit (id serial PRIMARY KEY, user_id int REFERENCES users ON DELETE SET NULL);
				CREATE INDEX conversations_user ON conversations (user_id);
				CREATE VIEW active_users AS SELECT * FROM users;
				INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 5) g;
				INSERT INTO conversations (user_id) SELECT 1 + g % 5 FROM generate_series(0, 14) g;
				INSERT INTO audit (user_id) VALUES (1), (1), (3);
				ANALYZE;
				""");
		try (Connection connection = scratch.connect(target)) {
			connection.setAutoCommit(false);
			try (Statement statement = connection.createStatement()) {
				statement.execute("SET TRANSACTION READ ONLY");
			}
			BlastRadius delete = BlastRadius.of(connection, List.of("DELETE FROM users WHERE id <= 2"));
			assertThat(delete.effects()).contains("also deletes 6 rows of conversations (ON DELETE CASCADE)",
					"sets user_id to null in 2 rows of audit (ON DELETE SET NULL)");
			assertThat(delete.effects().get(0)).startsWith("deletes from users: about 5 rows");

			BlastRadius drop = BlastRadius.of(connection, List.of("DROP TABLE IF EXISTS users CASCADE"));
			assertThat(drop.effects()).anyMatch((e) -> e.startsWith("drops table users: about 5 rows"))
				.contains("also drops view active_users (CASCADE)",
						"also drops the foreign key of conversations (CASCADE); its rows stay");
			BlastRadius truncate = BlastRadius.of(connection, List.of("TRUNCATE conversations, users CASCADE"));
			assertThat(truncate.effects()).anyMatch((e) -> e.startsWith("empties table conversations: about 15 rows, ")
					&& e.contains("with 2 indexes"));
			assertThat(truncate.effects()).anyMatch((e) -> e.startsWith("also empties audit"));

			BlastRadius sideEffect = BlastRadius.of(connection, List.of("DELETE FROM users WHERE pg_terminate_backend(1)"));
			assertThat(sideEffect.effects()).as("a condition with side effects is never run to count").isEmpty();
			BlastRadius gone = BlastRadius.of(connection, List.of("DROP TABLE IF EXISTS nothing_here"));
			assertThat(gone.effects()).containsExactly("table nothing_here does not exist now: nothing to drop");
			connection.rollback();
		}
		try (Connection connection = scratch.connect(target); Statement statement = connection.createStatement();
				var rs = statement.executeQuery("SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM conversations)")) {
			rs.next();
			assertThat(rs.getLong(1)).as("nothing was deleted").isEqualTo(5);
			assertThat(rs.getLong(2)).isEqualTo(15);
		}
	}

}
