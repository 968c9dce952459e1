package dev.backout.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.Optional;
import java.util.function.Function;

import javax.sql.DataSource;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Verifies the trail in the console database, or a JSON-lines export, against the signed
 * checkpoints. Events are streamed by a binary copy ({@link CopiedEvents}): a million events never sit in memory.
 */
@Component
public class TrailVerifier {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final DataSource dataSource;

	private final TrailCheckpoints checkpoints;

	private final TrailKey key;

	TrailVerifier(DataSource dataSource, TrailCheckpoints checkpoints, TrailKey key) {
		this.dataSource = dataSource;
		this.checkpoints = checkpoints;
		this.key = key;
	}

	/** The console's own trail, with its checkpoints and the last one it wrote. */
	public TrailVerification.Result verify() {
		return verify(this.dataSource, this.key, this.checkpoints::witnessAt);
	}

	/** @param key null to check the chain only; @param checkpoints null when none are given */
	public static TrailVerification.Result verify(DataSource dataSource, TrailCheckpoints.Log checkpoints, TrailKey key) {
		return verify(dataSource, key, (beginSnapshot) -> {
			beginSnapshot.run();
			return new TrailCheckpoints.Witness(checkpoints, Optional.empty());
		});
	}

	private static TrailVerification.Result verify(DataSource dataSource, TrailKey key,
			Function<Runnable, TrailCheckpoints.Witness> witnessAt) {
		try (Connection connection = dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			int isolation = connection.getTransactionIsolation();
			connection.setAutoCommit(false);
			// One snapshot for the whole walk, taken by the first statement.
			connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
			try {
				TrailCheckpoints.Witness witness = witnessAt.apply(() -> beginSnapshot(connection));
				try (CopiedEvents events = new CopiedEvents(connection)) {
					return TrailVerification.verify(events, witness.log(), key, witness.lastWritten());
				}
			}
			finally {
				connection.rollback();
				connection.setTransactionIsolation(isolation);
				connection.setAutoCommit(autoCommit);
			}
		}
		catch (SQLException ex) {
			throw new TrailUnreadable(ex);
		}
	}

	private static void beginSnapshot(Connection connection) {
		try (var statement = connection.createStatement()) {
			statement.execute("select 1");
		}
		catch (SQLException ex) {
			throw new TrailUnreadable(ex);
		}
	}

	/**
	 * An export written by {@link TrailExports#jsonLines}, verified without any database: the
	 * whole trail against the given checkpoints, or one incident against the checkpoint it carries.
	 */
	public static TrailVerification.Result verifyExport(Path export, TrailCheckpoints.Log checkpoints, TrailKey key)
			throws IOException {
		try (BufferedReader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
			Iterator<String> lines = reader.lines().filter((line) -> !line.isBlank()).iterator();
			if (!lines.hasNext()) {
				return TrailVerification.verify(Collections.emptyIterator(), checkpoints, key, Optional.empty());
			}
			String first = lines.next();
			JsonNode header = JSON.readTree(first);
			if (header.has("export") && "incident".equals(header.get("export").asString())) {
				JsonNode covering = header.get("checkpoint");
				TrailCheckpoints.Checkpoint checkpoint = (covering != null && !covering.isNull()) ? TrailCheckpoints.parse(covering) : null;
				return TrailVerification.verifyIncident(header.get("incidentId").asLong(), events(null, lines), checkpoint, key);
			}
			return TrailVerification.verify(events(first, lines), checkpoints, key, Optional.empty());
		}
		catch (UncheckedIOException ex) {
			throw ex.getCause();
		}
		catch (JacksonException | IllegalArgumentException | NullPointerException ex) {
			throw new IOException(export + " is not a trail export (a line is not an event): " + ex.getMessage(), ex);
		}
	}

	/** Events parsed as they are read: {@code first} (if not null), then the rest of the lines. */
	private static Iterator<AuditEvent> events(String first, Iterator<String> lines) {
		return new Iterator<>() {

			private String pending = first;

			@Override
			public boolean hasNext() {
				return this.pending != null || lines.hasNext();
			}

			@Override
			public AuditEvent next() {
				String line = (this.pending != null) ? this.pending : lines.next();
				this.pending = null;
				return fromJsonLine(line);
			}

		};
	}

	static AuditEvent fromJsonLine(String line) {
		JsonNode node = JSON.readTree(line);
		JsonNode incident = node.get("incidentId");
		Long incidentId = (incident == null || incident.isNull()) ? null : incident.asLong();
		JsonNode mac = node.get("mac");
		String proof = (mac == null || mac.isNull()) ? null : mac.asString();
		if (!node.has("action")) {
			return new AuditEvent(node.get("seq").asLong(), null, null, null, incidentId, null, null,
					node.get("prevHash").asString(), node.get("hash").asString(), proof);
		}
		return new AuditEvent(node.get("seq").asLong(), Instant.parse(node.get("occurredAt").asString()),
				node.get("actor").asString(), node.get("actorRoles").asString(), incidentId, node.get("action").asString(),
				node.get("details").toString(), node.get("prevHash").asString(),
				node.get("hash").asString(), proof);
	}

}
