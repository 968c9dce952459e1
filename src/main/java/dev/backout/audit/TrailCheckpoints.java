package dev.backout.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Signed checkpoints of the trail's head, kept outside the console database: one JSON line per
 * checkpoint, numbered and each linked to the one before by its signature. A checkpoint makes
 * deleting the tail of the trail detectable; the numbering and the links make deleting
 * checkpoints detectable. One is written at start-up, at shutdown, after every incident ends,
 * every 10 minutes and on an admin's request.
 */
@Component
public class TrailCheckpoints {

	private static final Logger log = LoggerFactory.getLogger(TrailCheckpoints.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String WRITTEN = "TRAIL_CHECKPOINT_WRITTEN";

	/**
	 * One signed checkpoint: the trail had {@code seq} events, the last with {@code hash}, at
	 * {@code at}.
	 *
	 * @param number 1, 2, 3 … without gaps
	 * @param reason why it was written: start-up, shutdown, incident 12 ended, periodic, by an admin
	 * @param previous the signature of checkpoint {@code number - 1} (64 zeros for the first)
	 * @param mac HMAC-SHA256 of all of the above under the trail key
	 */
	public record Checkpoint(long number, long seq, String hash, String at, String reason, String previous, String mac) {

		Checkpoint signedWith(TrailKey key) {
			Checkpoint unsigned = new Checkpoint(this.number, this.seq, this.hash, this.at, this.reason, this.previous, null);
			return new Checkpoint(this.number, this.seq, this.hash, this.at, this.reason, this.previous, key.checkpointMac(unsigned));
		}

	}

	/** What a checkpoint file holds: its well-formed checkpoints, and a description of each line that is not one. */
	public record Log(List<Checkpoint> checkpoints, List<String> malformed) {

		public Optional<Checkpoint> last() {
			return this.checkpoints.isEmpty() ? Optional.empty() : Optional.of(this.checkpoints.get(this.checkpoints.size() - 1));
		}

	}

	private final JdbcClient jdbc;

	private final AuditTrail trail;

	private final Clock clock;

	private final Path file;

	private final TrailKey key;

	/** The last checkpoint this process wrote: a removed line shows even if its trail event went too. */
	private Checkpoint lastWritten;

	private final CheckpointWriter writer;

	TrailCheckpoints(JdbcClient jdbc, AuditTrail trail, Clock clock, AuditProperties properties, TrailKey key,
			CheckpointWriter writer) {
		this.writer = writer;
		this.jdbc = jdbc;
		this.trail = trail;
		this.clock = clock;
		this.file = properties.checkpointFile().toAbsolutePath();
		this.key = key;
	}

	/**
	 * Signs the current head and appends it to the checkpoint file; {@code actor} null for the
	 * console itself. Only the instance that holds the writer's lock writes.
	 *
	 * @throws NotTheWriter on another instance
	 */
	public synchronized Checkpoint write(String reason, Authentication actor) {
		if (!this.writer.isThisInstance()) {
			throw new NotTheWriter();
		}
		Checkpoint before = Stream.of(read(this.file).last(), Optional.ofNullable(this.lastWritten), lastRecordedInTrail())
			.flatMap(Optional::stream)
			.max(Comparator.comparingLong(Checkpoint::number))
			.orElse(null);
		Checkpoint head = this.jdbc.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> new Checkpoint(0, rs.getLong("seq"), rs.getString("hash"), null, null, null, null))
			.optional()
			.orElse(new Checkpoint(0, 0, AuditHashing.GENESIS, null, null, null, null));
		Checkpoint checkpoint = new Checkpoint((before != null) ? before.number() + 1 : 1, head.seq(), head.hash(),
				this.clock.instant().toString(), reason, (before != null) ? before.mac() : AuditHashing.GENESIS, null)
			.signedWith(this.key);
		try {
			Files.createDirectories(this.file.getParent());
			Files.writeString(this.file, JSON.writeValueAsString(checkpoint) + "\n", StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot write the checkpoint file " + this.file + ": " + ex.getMessage(), ex);
		}
		this.lastWritten = checkpoint;
		// The log is a second witness: shipped elsewhere, it outlives a checkpoint file cut on this host.
		log.info("Trail checkpoint {} ({}): sequence {}, hash {}, signature {}", checkpoint.number(), reason, checkpoint.seq(),
				checkpoint.hash(), checkpoint.mac());
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("number", checkpoint.number());
		details.put("seq", checkpoint.seq());
		details.put("hash", checkpoint.hash());
		details.put("reason", reason);
		details.put("mac", checkpoint.mac());
		this.trail.record((actor != null) ? AuditEntry.by(actor, WRITTEN, details) : AuditEntry.bySystem(WRITTEN, details));
		return checkpoint;
	}

	/** A checkpoint once the current transaction commits (at once without one); a failure is logged, never thrown. */
	public void writeAfterCommit(String reason) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCommit() {
					writeQuietly(reason);
				}

			});
		}
		else {
			writeQuietly(reason);
		}
	}

	@EventListener(ApplicationReadyEvent.class)
	void atStartUp() {
		writeQuietly("start-up");
	}

	@EventListener(ContextClosedEvent.class)
	void atShutdown() {
		writeQuietly("shutdown");
	}

	@Scheduled(fixedDelayString = "${backout.audit.checkpoint-interval:10m}", initialDelayString = "${backout.audit.checkpoint-interval:10m}")
	void periodically() {
		writeQuietly("periodic");
	}

	/** Another instance of the console writes the checkpoints (into the file they share). */
	public static class NotTheWriter extends IllegalStateException {

		NotTheWriter() {
			super("Another instance of the console writes the checkpoints, into the file the instances share.");
		}

	}

	private void writeQuietly(String reason) {
		try {
			write(reason, null);
		}
		catch (NotTheWriter other) {
			log.debug("Checkpoint ({}) left to the writing instance", reason);
		}
		catch (RuntimeException ex) {
			log.error("Could not write the trail checkpoint ({}): {}", reason, ex.getMessage());
		}
	}

	public Log read() {
		return read(this.file);
	}

	public List<Checkpoint> all() {
		return read().checkpoints();
	}

	public Path file() {
		return this.file;
	}

	synchronized Optional<Checkpoint> lastWritten() {
		return Optional.ofNullable(this.lastWritten);
	}

	/**
	 * Takes the database snapshot through {@code beginSnapshot}, then reads the file, with no
	 * checkpoint written in between: every checkpoint event in the snapshot then has its line in
	 * what was read, and no line read covers events the snapshot cannot see.
	 */
	synchronized Witness witnessAt(Runnable beginSnapshot) {
		beginSnapshot.run();
		return new Witness(read(), Optional.ofNullable(this.lastWritten));
	}

	/** What the trail is compared with: the checkpoint file, and the last checkpoint this console wrote. */
	record Witness(Log log, Optional<Checkpoint> lastWritten) {
	}

	/** The newest checkpoint the trail says was written, as its event recorded it. */
	private Optional<Checkpoint> lastRecordedInTrail() {
		return this.jdbc.sql("select details::text from audit_event where action = :action order by seq desc limit 1")
			.param("action", WRITTEN)
			.query(String.class)
			.optional()
			.map(JSON::readTree)
			.filter((details) -> details.hasNonNull("number") && details.hasNonNull("mac"))
			.map((details) -> new Checkpoint(details.get("number").asLong(), details.get("seq").asLong(),
					details.get("hash").asString(), null, null, null, details.get("mac").asString()));
	}

	/** Reads a checkpoint file; a line that is not a well-formed checkpoint is described, not thrown. */
	public static Log read(Path file) {
		List<Checkpoint> checkpoints = new ArrayList<>();
		List<String> malformed = new ArrayList<>();
		if (!Files.exists(file)) {
			return new Log(checkpoints, malformed);
		}
		List<String> lines;
		try {
			lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read the checkpoint file " + file + ": " + ex.getMessage(), ex);
		}
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i);
			if (line.isBlank()) {
				continue;
			}
			try {
				checkpoints.add(parse(JSON.readTree(line)));
			}
			catch (JacksonException | IllegalArgumentException ex) {
				malformed.add("line " + (i + 1) + " of the checkpoint file is not a checkpoint ("
						+ ((ex instanceof IllegalArgumentException) ? ex.getMessage() : "not JSON") + ")");
			}
		}
		return new Log(checkpoints, malformed);
	}

	static Checkpoint parse(JsonNode node) {
		for (String field : List.of("number", "seq", "hash", "at", "reason", "previous", "mac")) {
			if (!node.hasNonNull(field)) {
				throw new IllegalArgumentException("no " + field);
			}
		}
		if (!node.get("number").canConvertToLong() || !node.get("seq").canConvertToLong()) {
			throw new IllegalArgumentException("number and seq must be whole numbers");
		}
		return new Checkpoint(node.get("number").asLong(), node.get("seq").asLong(), node.get("hash").asString(),
				node.get("at").asString(), node.get("reason").asString(), node.get("previous").asString(),
				node.get("mac").asString());
	}

}
