#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  const char *who = getenv("WHO");
  char line[64] = {0};
  FILE *f = fopen("/data/in.txt", "r");
  if (!f || !fgets(line, sizeof line, f)) return 2;
  printf("hello %s argc=%d arg1=%s read=%s", who ? who : "?", argc,
         argc > 1 ? argv[1] : "", line);
  return 3;
}
