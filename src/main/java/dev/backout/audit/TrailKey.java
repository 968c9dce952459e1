package dev.backout.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * The trail's secret, held outside the console database: it signs every event (proof that the
 * console wrote it) and every checkpoint. Whoever can write the database but not read this key
 * can append a correctly chained event, but not one that verifies as the console's.
 */
@Component
public class TrailKey {

	private static final Logger log = LoggerFactory.getLogger(TrailKey.class);

	private final byte[] key;

	private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

	@Autowired
	TrailKey(AuditProperties properties) {
		this(load(properties));
	}

	private TrailKey(byte[] key) {
		if (key.length < 16) {
			throw new IllegalArgumentException("The trail key must be at least 16 bytes (base64 of 32 random bytes is usual).");
		}
		this.key = key.clone();
	}

	/** A key given as base64, as on the command line of {@code verify-trail}. */
	public static TrailKey of(String base64) {
		return new TrailKey(Base64.getDecoder().decode(base64.trim()));
	}

	/** Proof that the console appended this link: covers its position, incident and both hashes. */
	String eventMac(long seq, Long incidentId, String prevHash, String hash) {
		return mac("backout-event\n" + seq + "\n" + ((incidentId != null) ? incidentId : "") + "\n" + prevHash + "\n" + hash);
	}

	/** Whether the console wrote this event: its proof of authorship matches. */
	public boolean proves(AuditEvent event) {
		return event.mac() != null && same(event.mac(), eventMac(event.seq(), event.incidentId(), event.prevHash(), event.hash()));
	}

	String checkpointMac(TrailCheckpoints.Checkpoint checkpoint) {
		return mac("backout-checkpoint\n" + checkpoint.number() + "\n" + checkpoint.seq() + "\n" + checkpoint.hash() + "\n"
				+ checkpoint.at() + "\n" + checkpoint.reason() + "\n" + checkpoint.previous());
	}

	boolean signed(TrailCheckpoints.Checkpoint checkpoint) {
		return checkpoint.mac() != null && same(checkpoint.mac(), checkpointMac(checkpoint));
	}

	private String mac(String message) {
		return HexFormat.of().formatHex(this.macs.get().doFinal(message.getBytes(StandardCharsets.UTF_8)));
	}

	/** One keyed HMAC per thread: looking up the provider and keying it cost more than a MAC itself. */
	private Mac newMac() {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.key, "HmacSHA256"));
			return mac;
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HMAC-SHA256 is part of every JRE", ex);
		}
	}

	/** Constant time, so that a forger learns nothing from how long a refusal takes. */
	private static boolean same(String a, String b) {
		return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
	}

	/** The key from configuration, or one generated once into a file next to the data. */
	private static byte[] load(AuditProperties properties) {
		if (StringUtils.hasText(properties.key())) {
			return Base64.getDecoder().decode(properties.key().trim());
		}
		Path keyFile = properties.keyFile().toAbsolutePath();
		try {
			if (Files.exists(keyFile)) {
				return Base64.getDecoder().decode(Files.readString(keyFile).trim());
			}
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.createDirectories(keyFile.getParent());
			Files.createFile(keyFile, PosixFilePermissions
				.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
			Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
			log.info("Generated the trail key in {}; keep a copy off this machine to verify the trail", keyFile);
			return key;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read or create the trail key file " + keyFile + ": " + ex.getMessage(), ex);
		}
	}

}
