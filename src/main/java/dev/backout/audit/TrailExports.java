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
import java.util.Map;

import javax.sql.DataSource;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Exports of the trail, streamed: JSON lines with every field and hash (verifiable offline with
 * {@code java -jar backout.jar verify-trail --file=…}), and CSV for spreadsheets.
 */
@Component
public class TrailExports {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final DataSource dataSource;

	TrailExports(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	/** One JSON object per line, in sequence order; {@code incidentId} null exports the whole trail. */
	public void jsonLines(Long incidentId, OutputStream out) {
		Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
		stream(incidentId, (event) -> {
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
			writer.write(JSON.writeValueAsString(line));
			writer.write('\n');
		});
		flush(writer);
	}

	public void csv(Long incidentId, OutputStream out) {
		Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
		try {
			CSVPrinter csv = CSVFormat.DEFAULT.builder()
				.setHeader("seq", "occurred_at", "actor", "actor_roles", "incident_id", "action", "details", "hash")
				.get()
				.print(writer);
			stream(incidentId, (event) -> csv.printRecord(event.seq(), AuditHashing.formatTime(event.occurredAt()),
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

	private void stream(Long incidentId, EventSink sink) {
		String sql = (incidentId == null) ? TrailVerifier.SELECT_EVENTS : """
				select seq, occurred_at, actor, actor_roles, incident_id, action, details::text as details, prev_hash, hash
				from audit_event where incident_id = ? order by seq
				""";
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try (PreparedStatement query = connection.prepareStatement(sql)) {
				query.setFetchSize(10_000);
				if (incidentId != null) {
					query.setLong(1, incidentId);
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
			throw new IllegalStateException("Cannot read the trail: " + ex.getMessage(), ex);
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
