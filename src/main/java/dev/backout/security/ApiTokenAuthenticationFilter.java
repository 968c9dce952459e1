package dev.backout.security;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.backout.system.ApiProblems;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer bo_…} requests to the API with a personal token,
 * for that request only, as the token's owner with the roles the owner holds now.
 */
class ApiTokenAuthenticationFilter extends OncePerRequestFilter {

	private final ApiTokens tokens;

	private final UserDetailsService users;

	ApiTokenAuthenticationFilter(ApiTokens tokens, UserDetailsService users) {
		this.tokens = tokens;
		this.users = users;
	}

	/**
	 * Exports stream on an async dispatch, which must be authenticated again: a token request keeps
	 * no session to carry its sign-in over, and without this the download stops where the async part
	 * begins.
	 */
	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	static boolean carriesToken(HttpServletRequest request) {
		String header = request.getHeader("Authorization");
		return header != null && header.startsWith("Bearer ");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!carriesToken(request)) {
			chain.doFilter(request, response);
			return;
		}
		var username = this.tokens.authenticate(request.getHeader("Authorization").substring(7).trim());
		if (username.isEmpty()) {
			ApiProblems.write(request, response, HttpStatus.UNAUTHORIZED, "Unknown, revoked or expired API token.");
			return;
		}
		UserDetails user = this.users.loadUserByUsername(username.get());
		if (!user.isAccountNonLocked() || !user.isEnabled()) {
			ApiProblems.write(request, response, HttpStatus.UNAUTHORIZED, "The token's account is locked or disabled.");
			return;
		}
		var authentication = UsernamePasswordAuthenticationToken.authenticated(user.getUsername(), null, user.getAuthorities());
		authentication.setDetails(new ApiTokenDetails(request.getHeader("Authorization").substring(7).trim().substring(0, 10)));
		var context = SecurityContextHolder.createEmptyContext();
		context.setAuthentication(authentication);
		SecurityContextHolder.setContext(context);
		try {
			chain.doFilter(request, response);
		}
		finally {
			SecurityContextHolder.clearContext();
		}
	}

}
