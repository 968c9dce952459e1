package dev.backout.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import tools.jackson.databind.json.JsonMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Signed checkpoints of the trail's head, kept outside the console database: one JSON line per
 * checkpoint (sequence, hash, time, HMAC-SHA256 under a key from configuration). A checkpoint
 * makes deleting the tail of the trail detectable, which the chain alone cannot show.
 */
@Component
public class TrailCheckpoints {

	private static final Logger log = LoggerFactory.getLogger(TrailCheckpoints.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** One signed checkpoint: the trail had {@code seq} events, the last with {@code hash}, at {@code at}. */
	public record Checkpoint(long seq, String hash, String at, String mac) {
	}

	private final JdbcClient jdbc;

	private final AuditTrail trail;

	private final Clock clock;

	private final Path file;

	private final byte[] key;

	TrailCheckpoints(JdbcClient jdbc, AuditTrail trail, Clock clock, AuditProperties properties) {
		this.jdbc = jdbc;
		this.trail = trail;
		this.clock = clock;
		this.file = properties.checkpointFile().toAbsolutePath();
		this.key = key(properties);
	}

	/** Signs the current head and appends it to the checkpoint file. */
	public synchronized Checkpoint write(Authentication actor) {
		var head = this.jdbc.sql("select seq, hash from audit_event order by seq desc limit 1")
			.query((rs, row) -> new Checkpoint(rs.getLong("seq"), rs.getString("hash"), null, null))
			.optional()
			.orElse(new Checkpoint(0, AuditHashing.GENESIS, null, null));
		String at = this.clock.instant().toString();
		Checkpoint checkpoint = new Checkpoint(head.seq(), head.hash(), at, macOf(this.key, head.seq(), head.hash(), at));
		try {
			Files.createDirectories(this.file.getParent());
			Files.writeString(this.file, JSON.writeValueAsString(checkpoint) + "\n", StandardCharsets.UTF_8,
					StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot write the checkpoint file " + this.file + ": " + ex.getMessage(), ex);
		}
		Map<String, ?> details = Map.of("seq", head.seq(), "hash", head.hash(), "file", this.file.toString());
		this.trail.record((actor != null) ? AuditEntry.by(actor, "TRAIL_CHECKPOINT_WRITTEN", details)
				: AuditEntry.bySystem("TRAIL_CHECKPOINT_WRITTEN", details));
		return checkpoint;
	}

	@Scheduled(fixedDelayString = "${backout.audit.checkpoint-interval:10m}", initialDelayString = "${backout.audit.checkpoint-interval:10m}")
	void periodically() {
		Checkpoint checkpoint = write(null);
		log.debug("Trail checkpoint at sequence {}", checkpoint.seq());
	}

	public List<Checkpoint> all() {
		return read(this.file);
	}

	public Path file() {
		return this.file;
	}

	byte[] key() {
		return this.key.clone();
	}

	static List<Checkpoint> read(Path file) {
		List<Checkpoint> checkpoints = new ArrayList<>();
		if (!Files.exists(file)) {
			return checkpoints;
		}
		try {
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				if (!line.isBlank()) {
					checkpoints.add(JSON.readValue(line, Checkpoint.class));
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read the checkpoint file " + file + ": " + ex.getMessage(), ex);
		}
		return checkpoints;
	}

	static String macOf(byte[] key, long seq, String hash, String at) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal((seq + "|" + hash + "|" + at).getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HMAC-SHA256 is part of every JRE", ex);
		}
	}

	/** The key from configuration, or in embedded mode one generated once into a file next to the data. */
	private static byte[] key(AuditProperties properties) {
		if (StringUtils.hasText(properties.checkpointKey())) {
			return Base64.getDecoder().decode(properties.checkpointKey().trim());
		}
		Path keyFile = properties.checkpointKeyFile().toAbsolutePath();
		try {
			if (Files.exists(keyFile)) {
				return Base64.getDecoder().decode(Files.readString(keyFile).trim());
			}
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.createDirectories(keyFile.getParent());
			Files.createFile(keyFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
					Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
			Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
			log.info("Generated the trail checkpoint key in {}; keep a copy outside this machine to verify checkpoints", keyFile);
			return key;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read or create the checkpoint key file " + keyFile + ": " + ex.getMessage(), ex);
		}
	}


}
