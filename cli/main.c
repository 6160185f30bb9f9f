/* The dtpanel command: parses global options, finds the command in the table, runs it. */
#include <stdio.h>
#include <string.h>

#include "common/version.h"

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("dtpanel %s (%s)\n", DTP_VERSION, DTP_GIT_REVISION);
        return 0;
    }
    fprintf(stderr, "usage: dtpanel --version\n");
    return 2;
}
