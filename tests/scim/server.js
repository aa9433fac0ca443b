// A SCIM 2.0 server for the tests of mutualize's SCIM client: the protocol is
// scimmy's and scimmy-routers' (RFC 7643, RFC 7644), the storage two maps in
// memory. Listens on 127.0.0.1 only; the bearer token is read from a file.
//
//   node server.js PORT TOKEN_FILE
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import {randomUUID} from "node:crypto";
import {readFileSync} from "node:fs";

const [port, tokenFile] = process.argv.slice(2);
const token = readFileSync(tokenFile, "utf8").trim();

// userName and displayName are unique, as a real provider makes them.
function declare(type, unique) {
	const store = new Map();

	SCIMMY.Resources.declare(SCIMMY.Resources[type])
		.ingress((resource, data) => {
			const id = resource.id ?? randomUUID();
			const old = store.get(id);

			if (resource.id && !old)
				throw new SCIMMY.Types.Error(404, null, `no ${type} ${id}`);
			for (const other of store.values())
				if (other.id !== id && other[unique] === data[unique])
					throw new SCIMMY.Types.Error(409, "uniqueness",
					    `${unique} ${data[unique]} is taken`);
			const now = new Date();
			const rec = {...data, id, meta: {created: old?.meta.created ?? now,
			    lastModified: now}};
			store.set(id, rec);
			return rec;
		})
		.egress((resource) => {
			if (resource.id) {
				if (!store.has(resource.id))
					throw new SCIMMY.Types.Error(404, null,
					    `no ${type} ${resource.id}`);
				return store.get(resource.id);
			}
			const all = [...store.values()];
			return resource.filter ? resource.filter.match(all) : all;
		})
		.degress((resource) => {
			if (!store.delete(resource.id))
				throw new SCIMMY.Types.Error(404, null, `no ${type} ${resource.id}`);
		});
}

declare("User", "userName");
declare("Group", "displayName");

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
	type: "bearer",
	docUri: "https://example.invalid/",
	handler: (request) => {
		if (request.header("Authorization") !== `Bearer ${token}`)
			throw new Error("bad token");
		return "mutualize";
	},
}));
app.listen(Number(port), "127.0.0.1");
