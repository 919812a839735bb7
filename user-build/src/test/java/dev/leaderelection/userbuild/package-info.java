/**
 * A user's first build, as the README shows it: a generated Maven project that depends on the
 * starter exactly as README.md says, built with this project's Maven wrapper against the project's
 * artifacts installed in a temporary local repository, and run to a grant against a real Redis.
 */
@NullMarked
package dev.leaderelection.userbuild;

import org.jspecify.annotations.NullMarked;
