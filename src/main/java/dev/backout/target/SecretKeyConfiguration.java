package dev.backout.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import javax.crypto.spec.SecretKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.StringUtils;

/**
 * Where the key that encrypts target secrets comes from: {@code BACKOUT_SECRET_KEY} (base64 of
 * 32 bytes), or in embedded mode a key generated once into a file with owner-only permissions.
 */
@Configuration(proxyBeanMethods = false)
class SecretKeyConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SecretKeyConfiguration.class);

	@Bean
	SecretCipher secretCipher(SecretKeyProperties properties) {
		return new SecretCipher(new SecretKeySpec(keyBytes(properties), "AES"));
	}

	private static byte[] keyBytes(SecretKeyProperties properties) {
		if (StringUtils.hasText(properties.secretKey())) {
			return decode(properties.secretKey(), "BACKOUT_SECRET_KEY");
		}
		if (!properties.embeddedMode() || properties.secretKeyFile() == null) {
			throw new MissingSecretKeyException();
		}
		Path file = properties.secretKeyFile().toAbsolutePath();
		try {
			if (Files.exists(file)) {
				return decode(Files.readString(file).trim(), file.toString());
			}
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.createDirectories(file.getParent());
			Files.createFile(file, PosixFilePermissions.asFileAttribute(Set.of(
					java.nio.file.attribute.PosixFilePermission.OWNER_READ,
					java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
			Files.writeString(file, Base64.getEncoder().encodeToString(key));
			log.info("Generated the key that encrypts target secrets in {} (owner-only permissions)", file);
			return key;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read or create the secret key file " + file + ": " + ex.getMessage(), ex);
		}
	}

	private static byte[] decode(String base64, String source) {
		byte[] key;
		try {
			key = Base64.getDecoder().decode(base64);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(source + " is not base64.", ex);
		}
		if (key.length != 32) {
			throw new IllegalStateException(source + " must be 32 bytes (base64 of 32 random bytes), not " + key.length + ".");
		}
		return key;
	}

}
