/**
 * The incident trail: an append-only, SHA-256 hash-chained record of every action, written
 * in the same transaction as the change it describes.
 */
package dev.backout.audit;
