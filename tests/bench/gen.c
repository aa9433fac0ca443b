/*
 * gen: a syndicate for mutualize's benchmark, as one YAML file on standard
 * output.
 *
 *   gen [-n people] [-t towns] [-s seed] [-c percent] [-p scheme]
 *
 * 100,000 people over 50 towns by default; the same arguments always give
 * the same file. Towns shrink as 1/sqrt(rank). Each has a "tous" group of its
 * first 5,000 agents, a municipal council and eleven service groups that
 * never pass 5,000 members; the first town also has a group of one referent
 * per town, whom the other towns name as "town/referents". Names come from
 * French tables, with accents, apostrophes and compound names, so homonyms
 * are common and their logins get numbered. The first three people of a
 * town (the mayor and the two admins) are fixed.
 *
 * -c PERCENT writes the same syndicate after a change: PERCENT % of the
 * people modified (half a new surname, a quarter a new title, a quarter a
 * move to another service group), and a tenth as many arrived and as many
 * gone. -c 1 on 100,000 people: 1,000 modified, 100 arrivals, 100 departures.
 * -p sets policy.password_scheme (yescrypt, the default, or sha512-crypt).
 *
 * The layout is the one tests/bench/validate.sh cuts up: a town starts with
 * "  - id: ", its groups come before "    people:", and each person is one
 * line "      - {...}". The directory is the bench's slapd: rootdn of
 * dc=sitiv,dc=fr, its password in bench.pw beside the file; the bench gives
 * the URI with -H.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define GROUP_MAX	5000	/* members of a group, at most */
#define FIXED_PEOPLE	3	/* the mayor and the two admins of a town */
#define MIN_TOWN	5	/* people in the smallest town */
#define NONE		(-1)

struct given_name {
	const char	*text;
	int		 female;
};

static const struct given_name given_names[] = {
	{ "Hélène", 1 }, { "Françoise", 1 }, { "Joël", 0 }, { "Lætitia", 1 },
	{ "Noël", 0 }, { "Zoé", 1 }, { "Anaïs", 1 }, { "Maëlle", 1 },
	{ "Loïc", 0 }, { "Jérôme", 0 }, { "Benoît", 0 }, { "Thérèse", 1 },
	{ "Gérard", 0 }, { "Agnès", 1 }, { "Inès", 1 }, { "Céline", 1 },
	{ "Éric", 0 }, { "Grégoire", 0 }, { "Mathéo", 0 }, { "Chloé", 1 },
	{ "Léa", 1 }, { "Clément", 0 }, { "Raphaël", 0 }, { "Mélanie", 1 },
	{ "Sébastien", 0 }, { "Stéphane", 0 }, { "Frédéric", 0 },
	{ "Aurélie", 1 }, { "Valérie", 1 }, { "Cécile", 1 }, { "André", 0 },
	{ "René", 0 }, { "Amélie", 1 }, { "Gaëlle", 1 }, { "Maïwenn", 1 },
	{ "Héloïse", 1 }, { "Jean-Luc", 0 }, { "Jean-Pierre", 0 },
	{ "Marie-Claire", 1 }, { "Anne-Sophie", 1 }, { "Pierre-Yves", 0 },
	{ "Marie", 1 }, { "Jean", 0 }, { "Pierre", 0 }, { "Nathalie", 1 },
	{ "Isabelle", 1 }, { "Sylvie", 1 }, { "Catherine", 1 },
	{ "Philippe", 0 }, { "Michel", 0 }, { "Alain", 0 }, { "Patrick", 0 },
	{ "Christophe", 0 }, { "Laurent", 0 }, { "Nicolas", 0 },
	{ "Julien", 0 }, { "Thomas", 0 }, { "Camille", 1 }, { "Manon", 1 },
	{ "Emma", 1 }, { "Lucas", 0 }, { "Hugo", 0 }, { "Louis", 0 },
	{ "Sarah", 1 }, { "Julie", 1 }, { "Sophie", 1 }, { "Karim", 0 },
	{ "Mehdi", 0 }, { "Aminata", 1 }, { "Fatoumata", 1 }, { "Yasmine", 1 },
	{ "Rachid", 0 }, { "Nadia", 1 }, { "Kévin", 0 }, { "Ophélie", 1 },
	{ "Bérénice", 1 }, { "Gaël", 0 }, { "Jézabel", 1 }, { "Anaëlle", 1 },
	{ "François", 0 },
};

static const char *const surnames[] = {
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
	"Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel",
	"Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
	"Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
	"François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau",
	"Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin",
	"Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
	"Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen",
	"Boyer", "Denis", "Lemaire", "Duval", "Joly", "Roche", "Noël",
	"Meyer", "Meunier", "Pérez", "Marchand", "Dufour", "Blanchard",
	"Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
	"Fernandez", "Renard", "Arnaud", "Rolland", "Caron", "Aubert",
	"Giraud", "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine",
	"Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis", "Olivier",
	"Da Silva", "Hubert", "Guillot", "Rivière", "Le Gall", "Le Goff",
	"Benaïssa", "N'Diaye", "d'Aubigné", "Dupont-Sébastien", "Aït-Ouali",
	"Ferrière", "Cœur", "Lemaître", "Ménard", "Béranger", "Chênevert",
	"Brûlé", "Besançon", "Lévêque", "Delaunay", "Bonnaventure", "Caillat",
	"Vial", "Brunel", "Favre", "Rocher", "Achard", "Ngô", "Œuvrard",
	"Sæther", "O'Neill", "de La Tour d'Auvergne", "Diallo", "Traoré",
	"Haddad", "Belkacem",
};

struct commune {
	const char	*id;
	const char	*name;
};

/* Communes around Lyon; past the 50th, the ids repeat with a number. */
static const struct commune communes[] = {
	{ "venissieux", "Vénissieux" }, { "saint-fons", "Saint-Fons" },
	{ "feyzin", "Feyzin" }, { "villeurbanne", "Villeurbanne" },
	{ "bron", "Bron" }, { "saint-priest", "Saint-Priest" },
	{ "vaulx-en-velin", "Vaulx-en-Velin" }, { "oullins", "Oullins" },
	{ "pierre-benite", "Pierre-Bénite" },
	{ "saint-genis-laval", "Saint-Genis-Laval" },
	{ "caluire-et-cuire", "Caluire-et-Cuire" },
	{ "rillieux-la-pape", "Rillieux-la-Pape" },
	{ "decines-charpieu", "Décines-Charpieu" }, { "meyzieu", "Meyzieu" },
	{ "ecully", "Écully" }, { "tassin-la-demi-lune", "Tassin-la-Demi-Lune" },
	{ "sainte-foy-les-lyon", "Sainte-Foy-lès-Lyon" },
	{ "la-mulatiere", "La Mulatière" }, { "francheville", "Francheville" },
	{ "craponne", "Craponne" }, { "irigny", "Irigny" },
	{ "vernaison", "Vernaison" }, { "charly", "Charly" },
	{ "givors", "Givors" }, { "grigny", "Grigny" }, { "mions", "Mions" },
	{ "corbas", "Corbas" }, { "chassieu", "Chassieu" }, { "genas", "Genas" },
	{ "saint-symphorien-d-ozon", "Saint-Symphorien-d'Ozon" },
	{ "solaize", "Solaize" }, { "serezin-du-rhone", "Sérézin-du-Rhône" },
	{ "ternay", "Ternay" }, { "communay", "Communay" },
	{ "marcy-l-etoile", "Marcy-l'Étoile" },
	{ "charbonnieres-les-bains", "Charbonnières-les-Bains" },
	{ "dardilly", "Dardilly" }, { "limonest", "Limonest" },
	{ "champagne-au-mont-d-or", "Champagne-au-Mont-d'Or" },
	{ "saint-didier-au-mont-d-or", "Saint-Didier-au-Mont-d'Or" },
	{ "collonges-au-mont-d-or", "Collonges-au-Mont-d'Or" },
	{ "fontaines-sur-saone", "Fontaines-sur-Saône" },
	{ "neuville-sur-saone", "Neuville-sur-Saône" },
	{ "sathonay-camp", "Sathonay-Camp" }, { "jonage", "Jonage" },
	{ "saint-bonnet-de-mure", "Saint-Bonnet-de-Mure" },
	{ "saint-laurent-de-mure", "Saint-Laurent-de-Mure" },
	{ "chaponost", "Chaponost" }, { "brignais", "Brignais" },
	{ "vourles", "Vourles" },
};

struct service {
	const char	*id;
	const char	*name;
	unsigned	 weight;	/* percent of the agents; 100 in all */
};

static const struct service services[] = {
	{ "technique", "Services techniques", 22 },
	{ "education", "Éducation et petite enfance", 18 },
	{ "accueil", "Accueil et population", 10 },
	{ "culture", "Culture et vie associative", 9 },
	{ "sports", "Sports", 8 },
	{ "etat-civil", "État civil", 6 },
	{ "rh", "Ressources humaines", 6 },
	{ "finances", "Finances", 6 },
	{ "dsi", "Direction des systèmes d'information", 5 },
	{ "police-municipale", "Police municipale", 5 },
	{ "urbanisme", "Urbanisme", 5 },
};
#define DSI	8	/* services[DSI], the admins' */

struct title {
	const char	*male;
	const char	*female;
};

static const struct title agent_titles[] = {
	{ "Adjoint administratif", "Adjointe administrative" },
	{ "Adjoint technique", "Adjointe technique" },
	{ "Rédacteur territorial", "Rédactrice territoriale" },
	{ "Attaché territorial", "Attachée territoriale" },
	{ "Ingénieur", "Ingénieure" },
	{ "Technicien", "Technicienne" },
	{ "Agent de maîtrise", "Agente de maîtrise" },
	{ "Éducateur de jeunes enfants", "Éducatrice de jeunes enfants" },
	{ "Auxiliaire de puériculture", "Auxiliaire de puériculture" },
	{ "Policier municipal", "Policière municipale" },
	{ "Chargé de communication", "Chargée de communication" },
	{ "Responsable d'équipe", "Responsable d'équipe" },
	{ "Bibliothécaire", "Bibliothécaire" },
	{ "Animateur", "Animatrice" },
};

static const struct title elected_titles[] = {
	{ "Conseiller municipal", "Conseillère municipale" },
	{ "Adjoint au maire", "Adjointe au maire" },
	{ "Maire", "Maire" },
};
#define MAYOR	2	/* elected_titles[MAYOR] */

enum change { KEEP, SURNAME, TITLE, GROUP, GONE, FIXED };

struct town {
	char	 id[80];
	char	 name[96];
	char	 prefix[24];	/* of its people's ids */
	size_t	 first;		/* index of its first person */
	size_t	 n;		/* its people, before any change */
	size_t	 narrived;	/* arrivals placed so far */
	size_t	 members[NELEM(services)];
};

struct person {
	size_t	 index;		/* in the syndicate: makes the id */
	size_t	 local;		/* rank in its town */
	unsigned given;
	unsigned surname;
	int	 surname2;	/* the second half of a compound name, or NONE */
	int	 elected;
	int	 title;		/* in agent_titles or elected_titles, or NONE */
	unsigned phone;		/* 0: none */
	int	 service;	/* in services, or NONE */
	int	 service2;
};

struct syndicate {
	uint64_t	 seed;
	const char	*scheme;	/* policy.password_scheme, or NULL */
	size_t		 npeople;
	size_t		 ntowns;
	size_t		 narrivals;
	struct town	*towns;
	unsigned char	*change;	/* an enum change per person */
	size_t		*arrival_town;	/* the town of each arrival */
};

struct rng {
	uint64_t	 state;
};

/* splitmix64's finaliser: every person draws from a stream of its own. */
static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15u;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	return x ^ (x >> 31);
}

static struct rng
rng_for(uint64_t seed, uint64_t stream, uint64_t index)
{
	struct rng	r = { mix(seed ^ mix(stream ^ mix(index))) };

	return r;
}

static uint64_t
rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15u;
	return mix(r->state);
}

/* A number below n, n > 0; the bias is far below what a benchmark sees. */
static size_t
rng_below(struct rng *r, size_t n)
{
	return (size_t)(rng_next(r) % n);
}

static void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	return p;
}

static double
square_root(double x)
{
	double	r = x > 1 ? x : 1;
	int	i;

	for (i = 0; i < 60; i++)
		r = (r + x / r) / 2;
	return r;
}

static void
town_name(struct town *t, size_t rank)
{
	const struct commune	*c = &communes[rank % NELEM(communes)];
	size_t			 round = rank / NELEM(communes);

	if (round == 0) {
		snprintf(t->id, sizeof(t->id), "%s", c->id);
		snprintf(t->name, sizeof(t->name), "%s", c->name);
	} else {
		snprintf(t->id, sizeof(t->id), "%s-%zu", c->id, round + 1);
		snprintf(t->name, sizeof(t->name), "%s (%zu)", c->name,
		    round + 1);
	}
	snprintf(t->prefix, sizeof(t->prefix), "%c%02zu",
	    toupper((unsigned char)c->id[0]), rank + 1);
}

/* Every town gets MIN_TOWN people, the rest in shares of 1/sqrt(rank). */
static void
towns_make(struct syndicate *s)
{
	size_t	 i, rest = s->npeople - MIN_TOWN * s->ntowns, given = 0, at = 0;
	double	 total = 0, *w = xcalloc(s->ntowns, sizeof(*w));

	s->towns = xcalloc(s->ntowns, sizeof(*s->towns));
	for (i = 0; i < s->ntowns; i++)
		total += w[i] = 1 / square_root((double)(i + 1));
	for (i = 0; i < s->ntowns; i++) {
		s->towns[i].n = (size_t)((double)rest * w[i] / total);
		given += s->towns[i].n;
	}
	for (i = 0; given < rest; i = (i + 1) % s->ntowns, given++)
		s->towns[i].n++;
	for (i = 0; i < s->ntowns; i++) {
		town_name(&s->towns[i], i);
		s->towns[i].n += MIN_TOWN;
		s->towns[i].first = at;
		at += s->towns[i].n;
	}
	free(w);
}

/* The town of the person of that index, by bisection of the towns. */
static size_t
town_of(const struct syndicate *s, size_t index)
{
	size_t	lo = 0, hi = s->ntowns;

	while (hi - lo > 1) {
		size_t	mid = lo + (hi - lo) / 2;

		if (s->towns[mid].first <= index)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static size_t
gcd(size_t a, size_t b)
{
	while (b != 0) {
		size_t	t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * Marks who changes: people taken in a fixed pseudo-random order (a stride
 * prime to their number), skipping the fixed ones, the first nmodified to be
 * modified and the next ngone to leave.
 */
static void
changes_pick(struct syndicate *s, size_t nmodified, size_t ngone)
{
	static const unsigned char	 kinds[] = { SURNAME, SURNAME, TITLE,
	    GROUP };
	struct rng			 r = rng_for(s->seed, 1, 0);
	size_t				 n = s->npeople, i, k, at, step, done = 0;

	for (i = 0; i < s->ntowns; i++)
		memset(&s->change[s->towns[i].first], FIXED, FIXED_PEOPLE);
	step = 1 + rng_below(&r, n);
	while (gcd(step, n) != 1)
		step++;
	at = rng_below(&r, n);
	for (k = 0; k < n && done < nmodified + ngone; k++, at = (at + step) % n) {
		if (s->change[at] != KEEP)
			continue;
		s->change[at] = done < nmodified ? kinds[done % NELEM(kinds)] :
		    GONE;
		done++;
	}
	for (i = 0; i < s->ntowns; i++)
		memset(&s->change[s->towns[i].first], KEEP, FIXED_PEOPLE);
}

/* Arrivals go to the town of a person drawn at random: big towns get more. */
static void
arrivals_place(struct syndicate *s)
{
	size_t	k;

	s->arrival_town = xcalloc(s->narrivals, sizeof(*s->arrival_town));
	for (k = 0; k < s->narrivals; k++) {
		struct rng	r = rng_for(s->seed, 2, k);

		s->arrival_town[k] = town_of(s, rng_below(&r, s->npeople));
	}
}

/* A service of the town with room left, by weight; NONE when all are full. */
static int
service_pick(struct town *t, struct rng *r, int not)
{
	size_t	i, tries, w;

	for (tries = 0; tries < 4 * NELEM(services); tries++) {
		w = rng_below(r, 100);
		for (i = 0; w >= services[i].weight; i++)
			w -= services[i].weight;
		if ((int)i != not && t->members[i] < GROUP_MAX)
			return (int)i;
	}
	for (i = 0; i < NELEM(services); i++)
		if ((int)i != not && t->members[i] < GROUP_MAX)
			return (int)i;
	return NONE;
}

static void
person_services(struct town *t, struct person *p, struct rng *r)
{
	p->service = p->service2 = NONE;
	if (p->elected)
		return;
	if (p->local < FIXED_PEOPLE)
		p->service = DSI;
	else
		p->service = service_pick(t, r, NONE);
	if (p->service != NONE && rng_below(r, 100) < 15)
		p->service2 = service_pick(t, r, p->service);
	if (p->service != NONE)
		t->members[p->service]++;
	if (p->service2 != NONE)
		t->members[p->service2]++;
}

/* The person of that index and rank, as the unchanged syndicate has it. */
static void
person_make(const struct syndicate *s, struct town *t, size_t index,
    size_t local, struct person *p)
{
	struct rng	r = rng_for(s->seed, 3, index);

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->local = local;
	p->given = (unsigned)rng_below(&r, NELEM(given_names));
	p->surname = (unsigned)rng_below(&r, NELEM(surnames));
	p->surname2 = rng_below(&r, 100) < 12 ?
	    (int)rng_below(&r, NELEM(surnames)) : NONE;
	if (p->surname2 == (int)p->surname)
		p->surname2 = NONE;
	p->elected = local == 0 || (local >= FIXED_PEOPLE &&
	    rng_below(&r, 40) == 0);
	if (local == 0)
		p->title = MAYOR;
	else if (p->elected)
		p->title = rng_below(&r, 3) == 0;
	else
		p->title = rng_below(&r, 10) < 7 ?
		    (int)rng_below(&r, NELEM(agent_titles)) : NONE;
	if (!p->elected && rng_below(&r, 10) < 6)
		p->phone = 1 + (unsigned)rng_below(&r, 999999);
	person_services(t, p, &r);
}

/* Another value below n than not and not2, n > 2. */
static int
pick_other(struct rng *r, size_t n, int not, int not2)
{
	int	v;

	do
		v = (int)rng_below(r, n);
	while (v == not || v == not2);
	return v;
}

/* What the change does to the person; group counts stay those of before. */
static void
person_change(const struct syndicate *s, const struct town *t,
    struct person *p, enum change kind)
{
	struct rng	r = rng_for(s->seed, 4, p->index);
	int		to;

	if (kind == GROUP && !p->elected && p->service != NONE) {
		to = pick_other(&r, NELEM(services), p->service, p->service2);
		if (t->members[to] < GROUP_MAX) {
			p->service = to;
			return;
		}
		kind = TITLE;
	}
	if (kind == SURNAME)
		p->surname2 = pick_other(&r, NELEM(surnames), (int)p->surname,
		    p->surname2);
	else if (p->elected)
		p->title = !p->title;
	else
		p->title = pick_other(&r, NELEM(agent_titles), p->title, NONE);
}

static const char *
person_title(const struct person *p)
{
	const struct title	*t;
	int			 female = given_names[p->given].female;

	if (p->title == NONE)
		return NULL;
	t = p->elected ? &elected_titles[p->title] : &agent_titles[p->title];
	return female ? t->female : t->male;
}

/* One item of a flow list: the separator before all but the first. */
static void
put_item(int *n, const char *prefix, const char *id)
{
	printf("%s%s%s", (*n)++ == 0 ? ", groups: [" : ", ", prefix, id);
}

static void
print_groups(const struct syndicate *s, const struct town *t,
    const struct person *p)
{
	int	n = 0;

	if (p->elected)
		put_item(&n, "", "conseil-municipal");
	else if (p->local < GROUP_MAX)
		put_item(&n, "", "tous");
	if (p->service != NONE)
		put_item(&n, "", services[p->service].id);
	if (p->service2 != NONE)
		put_item(&n, "", services[p->service2].id);
	/* the first admin of each town is its referent */
	if (p->local == 1 && t == &s->towns[0])
		put_item(&n, "", "referents");
	else if (p->local == 1)
		put_item(&n, s->towns[0].id, "/referents");
	if (n > 0)
		fputs("]", stdout);
}

static void
print_person(const struct syndicate *s, const struct town *t,
    const struct person *p)
{
	const char	*title = person_title(p);

	printf("      - {id: \"%s-%06zu\", given_name: \"%s\", surname: \"%s",
	    t->prefix, p->index, given_names[p->given].text,
	    surnames[p->surname]);
	if (p->surname2 != NONE)
		printf("-%s", surnames[p->surname2]);
	printf("\", kind: %s", p->elected ? "elected" : "agent");
	if (title != NULL)
		printf(", title: \"%s\"", title);
	if (p->phone != 0)
		printf(", phone: \"+33 4 72 %02u %02u %02u\"",
		    p->phone / 10000 % 100, p->phone / 100 % 100,
		    p->phone % 100);
	print_groups(s, t, p);
	puts("}");
}

static void
print_town_head(const struct syndicate *s, const struct town *t)
{
	size_t	i;

	printf("  - id: %s\n", t->id);
	printf("    name: \"Ville de %s\"\n", t->name);
	printf("    mail_domain: %s.fr\n", t->id);
	printf("    admins: [\"%s-%06zu\", \"%s-%06zu\"]\n", t->prefix,
	    t->first + 1, t->prefix, t->first + 2);
	puts("    groups:");
	puts("      - {id: tous, name: \"Tous les agents\"}");
	puts("      - {id: conseil-municipal, name: \"Conseil municipal\"}");
	for (i = 0; i < NELEM(services); i++)
		printf("      - {id: %s, name: \"%s\"}\n", services[i].id,
		    services[i].name);
	if (t == &s->towns[0])
		puts("      - {id: referents, name: \"Référents numériques "
		    "des communes\"}");
	puts("    people:");
}

/* The town's people in order, without those gone, then its arrivals. */
static void
print_town(const struct syndicate *s, struct town *t)
{
	struct person	p;
	size_t		i, k;

	print_town_head(s, t);
	for (i = t->first; i < t->first + t->n; i++) {
		/* made even when gone, so the others' groups stay the same */
		person_make(s, t, i, i - t->first, &p);
		if (s->change[i] == GONE)
			continue;
		if (s->change[i] != KEEP)
			person_change(s, t, &p, s->change[i]);
		print_person(s, t, &p);
	}
	for (k = 0; k < s->narrivals; k++) {
		if (&s->towns[s->arrival_town[k]] != t)
			continue;
		person_make(s, t, s->npeople + k, t->n + t->narrived++, &p);
		print_person(s, t, &p);
	}
}

static void
print_syndicate(const struct syndicate *s, int percent)
{
	size_t	i;

	printf("# A syndicate for mutualize's benchmark: tests/bench/gen -n %zu "
	    "-t %zu -s %llu -c %d%s%s.\n", s->npeople, s->ntowns,
	    (unsigned long long)s->seed, percent, s->scheme ? " -p " : "",
	    s->scheme ? s->scheme : "");
	puts("version: 1\n");
	puts("syndicate:");
	puts("  id: sitiv");
	puts("  name: \"SITIV, syndicat intercommunal des technologies de "
	    "l'information pour les villes\"");
	puts("  base_dn: \"dc=sitiv,dc=fr\"");
	puts("  mail_domain: sitiv.fr\n");
	puts("directory:");
	puts("  uri: \"ldap://127.0.0.1:3890\"");
	puts("  bind_dn: \"cn=admin,dc=sitiv,dc=fr\"");
	puts("  bind_password_file: bench.pw\n");
	if (s->scheme != NULL)
		printf("policy:\n  password_scheme: %s\n\n", s->scheme);
	puts("tenants:");
	for (i = 0; i < s->ntowns; i++)
		print_town(s, &s->towns[i]);
}

static int
parse_number(const char *arg, unsigned long long max, unsigned long long *out)
{
	char	*end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9')
		return -1;
	*out = strtoull(arg, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen [-n people] [-t towns] [-s seed] "
	    "[-c percent] [-p scheme]\n");
	exit(1);
}

int
main(int argc, char *argv[])
{
	struct syndicate	 s = { 0 };
	unsigned long long	 people = 100000, towns = 50, percent = 0, seed = 1;
	size_t			 nmodified;
	int			 ch, bad = 0;

	while ((ch = getopt(argc, argv, "n:t:s:c:p:")) != -1) {
		switch (ch) {
		case 'n':
			bad |= parse_number(optarg, 9999999, &people);
			break;
		case 't':
			bad |= parse_number(optarg, 9999, &towns);
			break;
		case 's':
			bad |= parse_number(optarg, UINT64_MAX, &seed);
			break;
		case 'c':
			bad |= parse_number(optarg, 50, &percent);
			break;
		case 'p':
			s.scheme = optarg;
			break;
		default:
			usage();
		}
	}
	if (bad || optind != argc || towns == 0 ||
	    people < MIN_TOWN * towns)
		usage();
	s.seed = seed;
	s.npeople = people;
	s.ntowns = towns;
	nmodified = s.npeople * percent / 100;
	s.narrivals = nmodified / 10;
	s.change = xcalloc(s.npeople, 1);
	towns_make(&s);
	changes_pick(&s, nmodified, s.narrivals);
	arrivals_place(&s);
	print_syndicate(&s, (int)percent);
	free(s.change);
	free(s.arrival_town);
	free(s.towns);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "gen: standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
