package dev.backout.runbook;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every runbook version ever loaded, kept in the console database so that an incident can pin
 * the version it ran and auditors can compare versions long after the file changed.
 */
@Repository
class RunbookVersions {

	private final JdbcClient jdbc;

	RunbookVersions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** @return true when this version was not known before */
	/** Moves the catalog's generation on, in the reload's transaction: @return the new generation */
	long nextGeneration() {
		return this.jdbc.sql("update runbook_catalog set generation = generation + 1 where id = 1 returning generation")
			.query(Long.class).single();
	}

	long generation() {
		return this.jdbc.sql("select generation from runbook_catalog where id = 1").query(Long.class).single();
	}

	boolean remember(LoadedRunbook loaded) {
		return this.jdbc.sql("""
				insert into runbook_version (runbook_id, hash, title, source, file)
				values (:id, :hash, :title, :source, :file)
				on conflict (runbook_id, hash) do nothing
				""")
			.param("id", loaded.id())
			.param("hash", loaded.hash())
			.param("title", loaded.runbook().title())
			.param("source", loaded.source())
			.param("file", loaded.file())
			.update() == 1;
	}

	List<RunbookVersion> history(String runbookId) {
		return this.jdbc.sql("""
				select runbook_id, hash, title, file, first_seen_at from runbook_version
				where runbook_id = :id order by first_seen_at desc, hash
				""")
			.param("id", runbookId)
			.query((rs, row) -> new RunbookVersion(rs.getString("runbook_id"), rs.getString("hash"), rs.getString("title"),
					rs.getString("file"), rs.getTimestamp("first_seen_at").toInstant()))
			.list();
	}

	Optional<String> source(String runbookId, String hash) {
		return this.jdbc.sql("select source from runbook_version where runbook_id = :id and hash = :hash")
			.param("id", runbookId)
			.param("hash", hash)
			.query(String.class)
			.optional();
	}

}
