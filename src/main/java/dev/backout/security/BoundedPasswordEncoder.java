package dev.backout.security;

import java.nio.charset.StandardCharsets;

import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * bcrypt reads at most 72 bytes and Spring's encoder throws beyond that: a longer password typed
 * at sign-in or re-authentication is simply wrong (never a 500), and one chosen for an account is
 * refused with a plain message by {@link UserAccounts}.
 */
final class BoundedPasswordEncoder implements PasswordEncoder {

	static final int MAX_BYTES = 72;

	private final PasswordEncoder delegate;

	BoundedPasswordEncoder(PasswordEncoder delegate) {
		this.delegate = delegate;
	}

	static boolean tooLong(CharSequence password) {
		return password != null && password.toString().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES;
	}

	@Override
	public String encode(CharSequence rawPassword) {
		if (tooLong(rawPassword)) {
			throw new UserAccountException("A password may be at most " + MAX_BYTES + " bytes long.");
		}
		return this.delegate.encode(rawPassword);
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		return !tooLong(rawPassword) && this.delegate.matches(rawPassword, encodedPassword);
	}

	@Override
	public boolean upgradeEncoding(String encodedPassword) {
		return this.delegate.upgradeEncoding(encodedPassword);
	}

}
