/**
 * Tests that the README's Quick start is true: its code and configuration are the files
 * of package {@code com.example.summaries}, and it starts and fails well.
 */
@NullMarked
package io.lionfuncs.quickstart;

import org.jspecify.annotations.NullMarked;
