"""
The peer engine of bench/scenarios/peerEngine.ts: Xapian (Debian's python3-xapian), served over
loopback HTTP so that the bench drives it with the same clients, batches and concurrency as kendrite.

    /usr/bin/python3 bench/lib/xapian_peer.py DATABASE_DIR

Prints `listening on http://127.0.0.1:PORT` once ready; stops on SIGTERM or when stdin closes.
Every request is a POST with a JSON body, answered with JSON (content-length framed, keep-alive):

  /index   {"documents": [{"id", "title", "body"}, ...]}  -> {"indexed": n}
           Each document replaces any earlier one of the same id (an upsert, as BatchPutDocument is).
  /commit  {}                                              -> {"documents": count, "commitMs": ms, "indexMs": ms}
           indexMs: the time inside Xapian's indexing calls since the start, this commit included.
  /query   {"text": "...", "k": 10}                        -> {"total": n, "items": [{"id", "title", "excerpt"}]}

Analysis as kendrite's English index (FTS5's porter tokenizer): every term stemmed with the Porter
stemmer (STEM_ALL_Z, so phrases match stemmed words too); the title weighs ten times the body, as in
kendrite's bm25(documents_fts, 10.0, 1.0). Ranking is BM25Weight with FTS5's constants (k1 1.2,
b 0.75). The query syntax is kendrite's: words side by side are alternatives (OR), AND / OR / NOT
in capitals, "quoted phrases", parentheses. An answer does what kendrite's Query does for its first
page: the exact total of matches, the top k with their titles and a highlighted excerpt of the body.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import xapian

TITLE_WEIGHT = 10
STEMMER = 'porter'
ID_PREFIX = 'Q'
EXCERPT_CHARS = 200


def weight():
    # k1, k2, k3, b, min_normlen: FTS5's bm25() uses k1 = 1.2, b = 0.75 and no length floor.
    return xapian.BM25Weight(1.2, 0, 1, 0.75, 0)


class Peer:
    def __init__(self, path):
        self.path = path
        self.writer = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
        self.write_lock = threading.Lock()
        self.generation = 0
        # Time spent inside Xapian's indexing calls (without HTTP and JSON), reported by /commit.
        self.index_seconds = 0.0
        self.local = threading.local()

    def index(self, documents):
        generator = xapian.TermGenerator()
        generator.set_stemmer(xapian.Stem(STEMMER))
        generator.set_stemming_strategy(xapian.TermGenerator.STEM_ALL_Z)
        with self.write_lock:
            started = time.perf_counter()
            for d in documents:
                doc = xapian.Document()
                generator.set_document(doc)
                generator.index_text(d['title'], TITLE_WEIGHT)
                generator.increase_termpos()
                generator.index_text(d['body'])
                doc.set_data(json.dumps([d['id'], d['title'], d['body']]))
                term = ID_PREFIX + d['id']
                doc.add_boolean_term(term)
                self.writer.replace_document(term, doc)
            self.index_seconds += time.perf_counter() - started
        return {'indexed': len(documents)}

    def commit(self):
        started = time.perf_counter()
        with self.write_lock:
            self.writer.commit()
            self.generation += 1
            count = self.writer.get_doccount()
        commit_ms = (time.perf_counter() - started) * 1000
        return {'documents': count, 'commitMs': commit_ms, 'indexMs': self.index_seconds * 1000 + commit_ms}

    def reader(self):
        """
        Each serving thread has its own read-only handle, parser and stemmer: Xapian's objects are not
        safe to share between threads (a shared Stem garbles terms under concurrent queries).
        """
        local = self.local
        if getattr(local, 'generation', None) != self.generation:
            local.db = xapian.Database(self.path)
            local.generation = self.generation
            local.stemmer = xapian.Stem(STEMMER)
            parser = xapian.QueryParser()
            parser.set_stemmer(local.stemmer)
            parser.set_stemming_strategy(xapian.QueryParser.STEM_ALL_Z)
            parser.set_default_op(xapian.Query.OP_OR)
            parser.set_database(local.db)
            local.parser = parser
        return local

    def query(self, text, k):
        r = self.reader()
        q = r.parser.parse_query(text, xapian.QueryParser.FLAG_BOOLEAN | xapian.QueryParser.FLAG_PHRASE)
        enquire = xapian.Enquire(r.db)
        enquire.set_query(q)
        enquire.set_weighting_scheme(weight())
        # check_at_least every document: an exact total, as kendrite's TotalNumberOfResults is.
        mset = enquire.get_mset(0, k, r.db.get_doccount())
        items = []
        for m in mset:
            doc_id, title, body = json.loads(m.document.get_data())
            excerpt = mset.snippet(body, EXCERPT_CHARS, r.stemmer, xapian.MSet.SNIPPET_EXHAUSTIVE, '<b>', '</b>', '...').decode()
            items.append({'id': doc_id, 'title': title, 'excerpt': excerpt})
        return {'total': mset.get_matches_estimated(), 'items': items}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body go out in two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK of the headers (40 ms on Linux), as node's http server never does.
    disable_nagle_algorithm = True
    peer = None

    def do_POST(self):
        length = int(self.headers.get('content-length', '0'))
        try:
            body = json.loads(self.rfile.read(length) or b'{}')
            if self.path == '/index':
                answer = self.peer.index(body['documents'])
            elif self.path == '/commit':
                answer = self.peer.commit()
            elif self.path == '/query':
                answer = self.peer.query(body['text'], int(body.get('k', 10)))
            else:
                return self.send(404, {'error': 'no such path ' + self.path})
        except Exception as e:  # a bench error, reported to the bench rather than killing the server
            return self.send(500, {'error': '%s: %s' % (type(e).__name__, e)})
        self.send(200, answer)

    def send(self, status, answer):
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        pass


def main():
    if len(sys.argv) != 2:
        sys.stderr.write('usage: xapian_peer.py DATABASE_DIR\n')
        return 2
    Handler.peer = Peer(sys.argv[1])
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    print('listening on http://127.0.0.1:%d' % server.server_address[1], flush=True)
    # The bench holds stdin open; when it goes away (even killed), so does this server.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()


if __name__ == '__main__':
    sys.exit(main())
