/*
 * The requests of the connectors: HTTP for SCIM and the webhook, SMTP for the
 * welcome mail. The only file that uses libcurl. Each request has a timeout
 * and a few tries with a growing pause; secrets reach libcurl only as
 * options.
 */
#include <curl/curl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "connectors.h"

#define CONNECT_TIMEOUT	5L	/* seconds to reach a server */
#define CALL_TIMEOUT	20L	/* seconds for one request */
#define TRIES		3	/* attempts of one request */
#define PAUSE_MS	250	/* before the second attempt; doubled after */

int
http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
on_answer(char *data, size_t size, size_t n, void *arg)
{
	return fwrite(data, size, n, ((struct memtext *)arg)->fp) * size;
}

static void
pause_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

long
http_request(const struct request *r, char **answer, char *err, size_t errlen)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*headers = NULL;
	struct memtext		 t;
	char			 buf[CURL_ERROR_SIZE] = "", *hdr;
	long			 status = 0;
	int			 try;
	CURLcode		 rc = CURLE_OK;

	*answer = NULL;
	if (h == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return 0;
	}
	headers = curl_slist_append(headers, "Accept: application/scim+json, "
	    "application/json");
	if (r->type != NULL) {
		hdr = xasprintf("Content-Type: %s", r->type);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	if (r->signature != NULL) {
		hdr = xasprintf("X-Mutualize-Signature: sha256=%s",
		    r->signature);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	if (r->delivery != NULL) {
		/* the same on every try of the call: the receiver drops repeats */
		hdr = xasprintf("X-Mutualize-Delivery: %s", r->delivery);
		headers = curl_slist_append(headers, hdr);
		free(hdr);
	}
	curl_easy_setopt(h, CURLOPT_URL, r->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, CALL_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "mutualize/" MUTUALIZE_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, buf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_answer);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
	if (r->token != NULL) {
		/* libcurl writes the header: no buffer of ours holds it. */
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, r->token);
	}
	for (try = 0; try < TRIES; try++) {
		if (try > 0)
			pause_ms((long)PAUSE_MS << (try - 1));
		free(*answer);
		memtext_open(&t);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
		rc = curl_easy_perform(h);
		*answer = memtext_close(&t);
		status = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (rc == CURLE_OK && status != 429 && status < 500)
			break;
	}
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s (after %d tries)", buf[0] ? buf :
		    curl_easy_strerror(rc), TRIES);
	else if (status < 200 || status > 299)
		snprintf(err, errlen, "HTTP %ld%s: %.200s", status,
		    try == TRIES ? " (after 3 tries)" : "", *answer);
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return status;
}

int
http_ok(const struct request *r, char *err, size_t errlen)
{
	char	*answer;
	long	 status = http_request(r, &answer, err, errlen);

	free(answer);
	return status >= 200 && status <= 299 ? 0 : -1;
}

char *
http_escape(const char *s)
{
	CURL	*h = curl_easy_init();
	char	*esc, *out = NULL;

	if (h == NULL)
		return NULL;
	if ((esc = curl_easy_escape(h, s, 0)) != NULL) {
		out = xstrdup(esc);
		curl_free(esc);
	}
	curl_easy_cleanup(h);
	return out;
}

struct upload {
	const char	*data;
	size_t		 len, off;
};

static size_t
on_upload(char *buf, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 len = size * n;

	if (len > u->len - u->off)
		len = u->len - u->off;
	memcpy(buf, u->data + u->off, len);
	u->off += len;
	return len;
}

/*
 * Whether a failure of an SMTP session came before the server could have
 * taken the message: no connection, no TLS, no login. Any other may have
 * come after the message's end, which a server may have taken already.
 */
static int
smtp_unsent(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_LOGIN_DENIED:
		return 1;
	default:
		return 0;
	}
}

int
smtp_send(const char *url, const char *sender, const char *recipient,
    const char *message, char *err, size_t errlen)
{
	CURL			*h = curl_easy_init();
	struct curl_slist	*rcpt = NULL;
	struct upload		 u;
	char			 buf[CURL_ERROR_SIZE] = "", *from, *to;
	int			 try;
	CURLcode		 rc = CURLE_OK;

	if (h == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	from = xasprintf("<%s>", sender);
	to = xasprintf("<%s>", recipient);
	rcpt = curl_slist_append(rcpt, to);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL, strncmp(url,
	    "smtps:", 6) == 0 ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, CALL_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, buf);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_CRLF, 1L);	/* the lines end in LF */
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	for (try = 0; try < TRIES; try++) {
		if (try > 0)
			pause_ms((long)PAUSE_MS << (try - 1));
		u.data = message;
		u.len = strlen(message);
		u.off = 0;
		/* tried again only when it cannot have been sent */
		if ((rc = curl_easy_perform(h)) == CURLE_OK || !smtp_unsent(rc))
			break;
	}
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s (after %d %s)", buf[0] ? buf :
		    curl_easy_strerror(rc), try < TRIES ? try + 1 : TRIES,
		    try == 0 ? "try" : "tries");
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	free(from);
	free(to);
	return rc == CURLE_OK ? 0 : smtp_unsent(rc) ? -1 : CALL_UNKNOWN;
}
