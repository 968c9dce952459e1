package dev.backout.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Exports of the trail, streamed: JSON lines with every field, hash and proof of authorship
 * (verifiable offline with {@code java -jar backout.jar verify-trail --file=…}), and CSV for
 * spreadsheets.
 */
@Component
public class TrailExports {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final DataSource dataSource;

	private final TrailCheckpoints checkpoints;

	TrailExports(DataSource dataSource, TrailCheckpoints checkpoints) {
		this.dataSource = dataSource;
		this.checkpoints = checkpoints;
	}

	/**
	 * One JSON object per line, in sequence order. The whole trail when {@code incidentId} is
	 * null. One incident's export verifies alone: a header names the incident and the first
	 * checkpoint that covers its last event; then come its events in full and, from its opening
	 * up to that checkpoint, the other events as links (position, incident, hashes, proof) without
	 * their content.
	 */
	public void jsonLines(Long incidentId, OutputStream out) {
		Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
		if (incidentId == null) {
			stream(SELECT_ALL, List.of(), (event) -> writeLine(writer, eventLine(event)));
			flush(writer);
			return;
		}
		Span span = JdbcClient.create(this.dataSource)
			.sql("select min(seq) as first, max(seq) as last from audit_event where incident_id = :incident")
			.param("incident", incidentId)
			.query((rs, row) -> new Span(rs.getLong("first"), rs.getLong("last")))
			.single();
		TrailCheckpoints.Checkpoint covering = this.checkpoints.all()
			.stream()
			.filter((checkpoint) -> span.last() > 0 && checkpoint.seq() >= span.last())
			.findFirst()
			.orElse(null);
		Map<String, Object> header = new LinkedHashMap<>();
		header.put("export", "incident");
		header.put("incidentId", incidentId);
		header.put("checkpoint", covering);
		writeLine(writer, header);
		if (span.last() > 0) {
			long end = (covering != null) ? covering.seq() : span.last();
			stream(SELECT_SPAN, List.of(span.first(), end), (event) -> writeLine(writer,
					incidentId.equals(event.incidentId()) ? eventLine(event) : linkLine(event)));
		}
		flush(writer);
	}

	private static Map<String, Object> eventLine(AuditEvent event) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("seq", event.seq());
		line.put("occurredAt", AuditHashing.formatTime(event.occurredAt()));
		line.put("actor", event.actor());
		line.put("actorRoles", event.actorRoles());
		line.put("incidentId", event.incidentId());
		line.put("action", event.action());
		line.put("details", JSON.readTree(event.details()));
		line.put("prevHash", event.prevHash());
		line.put("hash", event.hash());
		line.put("mac", event.mac());
		return line;
	}

	private static Map<String, Object> linkLine(AuditEvent event) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("seq", event.seq());
		line.put("incidentId", event.incidentId());
		line.put("prevHash", event.prevHash());
		line.put("hash", event.hash());
		line.put("mac", event.mac());
		return line;
	}

	private static void writeLine(Writer writer, Map<String, Object> line) {
		try {
			writer.write(JSON.writeValueAsString(line));
			writer.write('\n');
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private record Span(long first, long last) {
	}

	public void csv(Long incidentId, OutputStream out) {
		Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
		try {
			CSVPrinter csv = CSVFormat.DEFAULT.builder()
				.setHeader("seq", "occurred_at", "actor", "actor_roles", "incident_id", "action", "details", "hash")
				.get()
				.print(writer);
			stream((incidentId != null) ? SELECT_INCIDENT : SELECT_ALL, (incidentId != null) ? List.of(incidentId) : List.of(),
					(event) -> csv.printRecord(event.seq(), AuditHashing.formatTime(event.occurredAt()),
					inert(event.actor()), inert(event.actorRoles()), event.incidentId(), inert(event.action()),
					inert(event.details()), event.hash()));
			csv.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return first) gets a
	 * leading apostrophe: user-controlled text (a sign-in name) must stay text in the auditors'
	 * spreadsheet. The JSON lines export, not the CSV, is the one to verify hashes with.
	 */
	static String inert(String cell) {
		if (cell != null && !cell.isEmpty() && "=+-@\t\r".indexOf(cell.charAt(0)) >= 0) {
			return "'" + cell;
		}
		return cell;
	}

	private interface EventSink {

		void accept(AuditEvent event) throws IOException;

	}

	private static final String SELECT_ALL = "select " + AuditTrail.COLUMNS + " from audit_event order by seq";

	private static final String SELECT_INCIDENT = "select " + AuditTrail.COLUMNS + " from audit_event where incident_id = ? order by seq";

	private static final String SELECT_SPAN = "select " + AuditTrail.COLUMNS + " from audit_event where seq between ? and ? order by seq";

	/** Streams the events a query selects with a cursor, in one read-only snapshot. */
	private void stream(String sql, List<Long> params, EventSink sink) {
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try (PreparedStatement query = connection.prepareStatement(sql)) {
				query.setFetchSize(10_000);
				for (int i = 0; i < params.size(); i++) {
					query.setLong(i + 1, params.get(i));
				}
				try (ResultSet rs = query.executeQuery()) {
					while (rs.next()) {
						sink.accept(AuditTrail.mapEvent(rs, 0));
					}
				}
			}
			finally {
				connection.rollback();
				connection.setAutoCommit(true);
			}
		}
		catch (SQLException ex) {
			throw new TrailUnreadable(ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void flush(Writer writer) {
		try {
			writer.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
