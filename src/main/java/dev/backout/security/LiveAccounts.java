package dev.backout.security;

import java.io.IOException;
import java.util.HashSet;
import java.util.Objects;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Role changes, disabling and lockout reach every live session on its next request: a signed-in
 * session's account is read again each time. A disabled, locked or removed account's session
 * ends (401 for the API, the sign-in page otherwise); changed roles replace the session's.
 */
class LiveAccounts extends OncePerRequestFilter {

	private final UserDetailsService users;

	private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

	LiveAccounts(UserDetailsService users) {
		this.users = users;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		SecurityContext context = SecurityContextHolder.getContext();
		Authentication signedIn = context.getAuthentication();
		HttpSession session = request.getSession(false);
		if (session == null || !(signedIn instanceof UsernamePasswordAuthenticationToken) || !signedIn.isAuthenticated()
				|| staticResource(request)) {
			chain.doFilter(request, response);
			return;
		}
		UserDetails account = load(signedIn.getName());
		if (account == null || !account.isEnabled() || !account.isAccountNonLocked()) {
			session.invalidate();
			SecurityContextHolder.clearContext();
			if (request.getRequestURI().startsWith(request.getContextPath() + "/api/")) {
				response.sendError(HttpStatus.UNAUTHORIZED.value(), "Account disabled or locked");
			}
			else {
				response.sendRedirect(request.getContextPath() + "/login?ended");
			}
			return;
		}
		if (!Objects.equals(new HashSet<>(account.getAuthorities()), new HashSet<>(signedIn.getAuthorities()))) {
			UsernamePasswordAuthenticationToken current = UsernamePasswordAuthenticationToken.authenticated(account, null,
					account.getAuthorities());
			current.setDetails(signedIn.getDetails());
			SecurityContext refreshed = SecurityContextHolder.createEmptyContext();
			refreshed.setAuthentication(current);
			SecurityContextHolder.setContext(refreshed);
			this.contexts.saveContext(refreshed, request, response);
		}
		chain.doFilter(request, response);
	}

	private static boolean staticResource(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return path.startsWith("/assets/") || path.startsWith("/webjars/");
	}

	private UserDetails load(String username) {
		try {
			return this.users.loadUserByUsername(username);
		}
		catch (UsernameNotFoundException ex) {
			return null;
		}
	}

}
