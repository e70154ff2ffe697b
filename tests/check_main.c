/*
 * check_main: the main() of every unit suite binary. It runs the suite the binary defines
 * (test_suite()) and, when COG_TEST_RESULTS names a file, appends "<passed> <failed>" to it
 * so that the test command can print one "N passed, N failed" line over all suites.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

int main(void)
{
    SRunner *runner = srunner_create(test_suite());
    const char *results = getenv("COG_TEST_RESULTS");
    int run, failed;

    srunner_run_all(runner, CK_NORMAL);
    run = srunner_ntests_run(runner);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    if (results != NULL) {
        FILE *f = fopen(results, "a");
        if (f != NULL) {
            fprintf(f, "%d %d\n", run - failed, failed);
            fclose(f);
        }
    }
    return failed == 0 && run > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
