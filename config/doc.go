// Package config reads the service's configuration once, from defaults, a
// YAML file, METIERS_* environment variables and command-line flags (each
// overriding the one before), validates it, and hands it to main as a plain
// Config value. It is the only package that knows about viper.
package config
