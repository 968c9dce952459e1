package dev.backout.target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Set;

import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SecretCipherTests {

	private final SecretCipher cipher = new SecretCipher(new SecretKeySpec(randomKey(), "AES"));

	@Test
	void encryptsWithAFreshNonceAndDecryptsBack() {
		byte[] first = this.cipher.encrypt("s3cret-password");
		byte[] second = this.cipher.encrypt("s3cret-password");
		assertThat(first).isNotEqualTo(second);
		assertThat(new String(first, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("s3cret");
		assertThat(this.cipher.decrypt(first)).isEqualTo("s3cret-password");
	}

	@Test
	void anAlteredSecretOrAnotherKeyFailsLoudly() {
		byte[] sealed = this.cipher.encrypt("s3cret-password");
		sealed[sealed.length - 1] ^= 1;
		assertThatIllegalStateException().isThrownBy(() -> this.cipher.decrypt(sealed))
			.withMessageContaining("wrong BACKOUT_SECRET_KEY, or the stored value was altered");
		byte[] other = new SecretCipher(new SecretKeySpec(randomKey(), "AES")).encrypt("x");
		assertThatIllegalStateException().isThrownBy(() -> this.cipher.decrypt(other));
	}

	@Test
	void embeddedModeGeneratesItsKeyOnceWithOwnerOnlyPermissions(@TempDir Path dir) throws Exception {
		Path file = dir.resolve("data/secret.key");
		var properties = new SecretKeyProperties(null, file, new SecretKeyProperties.Embedded(true));
		SecretCipher first = new SecretKeyConfiguration().secretCipher(properties);
		assertThat(Files.getPosixFilePermissions(file))
			.containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
		SecretCipher again = new SecretKeyConfiguration().secretCipher(properties);
		assertThat(again.decrypt(first.encrypt("same key"))).isEqualTo("same key");
	}

	@Test
	void externalModeWithoutAKeyIsRefused() {
		var properties = new SecretKeyProperties(null, Path.of("ignored"), new SecretKeyProperties.Embedded(false));
		org.assertj.core.api.Assertions.assertThatExceptionOfType(MissingSecretKeyException.class)
			.isThrownBy(() -> new SecretKeyConfiguration().secretCipher(properties));
		assertThat(Set.of(new MissingSecretKeyFailureAnalyzer().analyze(new MissingSecretKeyException()).getAction()))
			.allSatisfy((action) -> assertThat(action).contains("BACKOUT_SECRET_KEY"));
	}

	@Test
	void aKeyOfTheWrongLengthIsRefused() {
		var properties = new SecretKeyProperties("c2hvcnQ=", null, null);
		assertThatIllegalStateException().isThrownBy(() -> new SecretKeyConfiguration().secretCipher(properties))
			.withMessageContaining("must be 32 bytes");
	}

	private static byte[] randomKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return key;
	}

}
