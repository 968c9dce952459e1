package dev.backout.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import javax.sql.DataSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Verifies the trail in the console database, or in a JSON-lines export, against the signed
 * checkpoints. Events are streamed with a cursor: a million events never sit in memory.
 */
@Component
public class TrailVerifier {

	static final String SELECT_EVENTS = """
			select seq, occurred_at, actor, actor_roles, incident_id, action, details::text as details, prev_hash, hash
			from audit_event order by seq
			""";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final DataSource dataSource;

	private final TrailCheckpoints checkpoints;

	TrailVerifier(DataSource dataSource, TrailCheckpoints checkpoints) {
		this.dataSource = dataSource;
		this.checkpoints = checkpoints;
	}

	/** The console's own trail, with its checkpoints. */
	public TrailVerification.Result verify() {
		return verify(this.dataSource, this.checkpoints.all(), this.checkpoints.key());
	}

	public static TrailVerification.Result verify(DataSource dataSource, List<TrailCheckpoints.Checkpoint> checkpoints, byte[] key) {
		try (Connection connection = dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			connection.setAutoCommit(false);
			try (PreparedStatement query = connection.prepareStatement(SELECT_EVENTS)) {
				query.setFetchSize(10_000);
				try (ResultSet rs = query.executeQuery()) {
					return TrailVerification.verify(new ResultSetEvents(rs), checkpoints, key);
				}
			}
			finally {
				connection.rollback();
				connection.setAutoCommit(autoCommit);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot read the trail: " + ex.getMessage(), ex);
		}
	}

	/** An export written by {@link TrailExports#jsonLines}, verified without any database. */
	public static TrailVerification.Result verifyExport(Path export, List<TrailCheckpoints.Checkpoint> checkpoints, byte[] key)
			throws IOException {
		try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
			Iterator<AuditEvent> events = reader.lines().filter((line) -> !line.isBlank()).map(TrailVerifier::fromJsonLine).iterator();
			return TrailVerification.verify(events, checkpoints, key);
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
	}

	static AuditEvent fromJsonLine(String line) {
		JsonNode node = JSON.readTree(line);
		JsonNode incident = node.get("incidentId");
		return new AuditEvent(node.get("seq").asLong(), Instant.parse(node.get("occurredAt").asString()),
				node.get("actor").asString(), node.get("actorRoles").asString(),
				(incident == null || incident.isNull()) ? null : incident.asLong(), node.get("action").asString(),
				AuditHashing.canonicalDetailsJson(node.get("details").toString()), node.get("prevHash").asString(),
				node.get("hash").asString());
	}

	/** Events read one by one from an open result set. */
	private static final class ResultSetEvents implements Iterator<AuditEvent> {

		private final ResultSet rs;

		private Boolean hasNext;

		ResultSetEvents(ResultSet rs) {
			this.rs = rs;
		}

		@Override
		public boolean hasNext() {
			if (this.hasNext == null) {
				try {
					this.hasNext = this.rs.next();
				}
				catch (SQLException ex) {
					throw new IllegalStateException("Cannot read the trail: " + ex.getMessage(), ex);
				}
			}
			return this.hasNext;
		}

		@Override
		public AuditEvent next() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			this.hasNext = null;
			try {
				return AuditTrail.mapEvent(this.rs, 0);
			}
			catch (SQLException ex) {
				throw new IllegalStateException("Cannot read the trail: " + ex.getMessage(), ex);
			}
		}

	}

}
