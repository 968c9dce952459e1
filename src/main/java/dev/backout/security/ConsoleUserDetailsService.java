package dev.backout.security;

import java.sql.Array;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/**
 * Loads console users for sign-in; a locked or disabled account is refused before its
 * password is even compared. Every signed-in request reads the account again
 * ({@link LiveAccounts}), so it is one statement: the account and its roles together.
 */
@Component
class ConsoleUserDetailsService implements UserDetailsService {

	private final JdbcClient jdbc;

	ConsoleUserDetailsService(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public UserDetails loadUserByUsername(String username) {
		return this.jdbc.sql("""
				select u.username, u.password_hash, u.enabled, u.locked_until,
				       array(select r.role from console_user_role r where r.console_user = u.id) as roles
				from console_user u where u.username = :username""")
			.param("username", username.trim().toLowerCase())
			.query((rs, row) -> {
				Timestamp lockedUntil = rs.getTimestamp("locked_until");
				Array roles = rs.getArray("roles");
				return User.withUsername(rs.getString("username"))
					.password(rs.getString("password_hash"))
					.authorities(Arrays.stream((String[]) roles.getArray()).map(Role::valueOf).map(Role::authority)
						.toArray(String[]::new))
					.disabled(!rs.getBoolean("enabled"))
					.accountLocked(lockedUntil != null && lockedUntil.toInstant().isAfter(Instant.now()))
					.build();
			})
			.optional()
			.orElseThrow(() -> new UsernameNotFoundException("No such user"));
	}

}
