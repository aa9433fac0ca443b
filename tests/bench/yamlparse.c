/*
 * yamlparse: libyaml's event parse of each file and nothing else, the floor
 * under any YAML loader; the benchmark times mutualize against it.
 *
 *   yamlparse file...
 *
 * Prints the number of events of each file; exits 1 on the first error.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>

#include <yaml.h>

/* The events of the file, or -1 after saying why. */
static long
count_events(const char *path)
{
	yaml_parser_t	 parser;
	yaml_event_t	 event;
	FILE		*fp;
	long		 n = 0;
	int		 done = 0;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "yamlparse: %s: %s\n", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	while (!done) {
		if (!yaml_parser_parse(&parser, &event)) {
			fprintf(stderr, "yamlparse: %s:%zu:%zu: %s\n", path,
			    parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "error");
			n = -1;
			break;
		}
		done = event.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&event);
		n++;
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	return n;
}

int
main(int argc, char *argv[])
{
	long	n;
	int	i;

	if (argc < 2) {
		fprintf(stderr, "usage: yamlparse file...\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if ((n = count_events(argv[i])) == -1)
			return 1;
		printf("%s: %ld events\n", argv[i], n);
	}
	return 0;
}
