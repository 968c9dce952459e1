package dev.backout.security;

/** Marks a request authenticated by a personal API token (not a signed-in session). */
record ApiTokenDetails(String prefix) {
}
