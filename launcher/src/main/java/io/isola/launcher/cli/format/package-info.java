/**
 * {@code --format} as Docker users write it: a Go text/template engine (lexer, parser, functions,
 * Go's way of printing values) and the list verbs' {@code table}/{@code json}/template choice.
 */
package io.isola.launcher.cli.format;
