/**
 * Users, roles, sign-in and password storage: who may use the console, and as what.
 * Public face: {@link dev.backout.security.Role}.
 */
package dev.backout.security;
