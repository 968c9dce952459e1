package dev.backout.target;

public enum Environment {

	PRODUCTION, STAGING, DEMO

}
