/**
 * {@code --format} as Docker users write it: a Go text/template engine (lexer, parser, functions,
 * Go's way of printing values), the list verbs' {@code table}/{@code json}/template choice, the
 * inspect verbs' JSON-or-template output ({@link io.isola.launcher.cli.format.InspectOutput}) and
 * the list verbs' {@code --filter KEY=VALUE} ({@link io.isola.launcher.cli.format.ListFilter}).
 */
package io.isola.launcher.cli.format;
