package dev.backout.security;

import java.time.Instant;

import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/**
 * Loads console users for sign-in; a locked or disabled account is refused before its
 * password is even compared.
 */
@Component
class ConsoleUserDetailsService implements UserDetailsService {

	private final ConsoleUserRepository users;

	ConsoleUserDetailsService(ConsoleUserRepository users) {
		this.users = users;
	}

	@Override
	public UserDetails loadUserByUsername(String username) {
		ConsoleUser user = this.users.findByUsername(username.trim().toLowerCase())
			.orElseThrow(() -> new UsernameNotFoundException("No such user"));
		return User.withUsername(user.username())
			.password(user.passwordHash())
			.authorities(user.roles().stream().map(Role::authority).toArray(String[]::new))
			.disabled(!user.enabled())
			.accountLocked(user.lockedAt(Instant.now()))
			.build();
	}

}
