/**
 * Test support shared by the test packages.
 */
@NullMarked
package io.lionfuncs.testsupport;

import org.jspecify.annotations.NullMarked;
