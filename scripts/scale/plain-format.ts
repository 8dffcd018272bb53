// The plain SQL script pg_dump 15 (-Fp) writes for the same TOC: pg_backup_archiver.c prints
// each entry with its comment block, definition and owner, the data entries as COPY … FROM stdin
// with the rows (which end with "\.\n\n\n" in the data itself), and the closing comment. Since
// 15.14 the script is bracketed by \restrict / \unrestrict with a random key.
import type { ArchiveIdentity, TocEntry } from './schema.js';

/** Entries that only set session state: the script's fixed preamble covers them. */
const PREAMBLE_ONLY = new Set(['ENCODING', 'STDSTRINGS', 'SEARCHPATH', 'DATABASE']);

export function plainHeader(id: ArchiveIdentity, restrictKey: string): string {
  return (
    '--\n-- PostgreSQL database dump\n--\n\n' +
    `\\restrict ${restrictKey}\n\n` +
    `-- Dumped from database version ${id.serverVersion}\n` +
    `-- Dumped by pg_dump version ${id.dumpVersion}\n\n` +
    'SET statement_timeout = 0;\n' +
    'SET lock_timeout = 0;\n' +
    'SET idle_in_transaction_session_timeout = 0;\n' +
    "SET client_encoding = 'UTF8';\n" +
    'SET standard_conforming_strings = on;\n' +
    "SELECT pg_catalog.set_config('search_path', '', false);\n" +
    'SET check_function_bodies = false;\n' +
    'SET xmloption = content;\n' +
    'SET client_min_messages = warning;\n' +
    'SET row_security = off;\n\n'
  );
}

export function plainTrailer(restrictKey: string): string {
  return `--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict ${restrictKey}\n\n`;
}

/** An identifier as pg_dump's fmtId writes it (quoted unless plain lower-case). */
export function quoteIdent(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

/** Prints entries in order, tracking the session state pg_restore tracks (default tablespace and
 *  table access method are SET when they first change). */
export class PlainPrinter {
  private tablespace: string | null = null;
  private tableam: string | null = null;

  /** Text before an entry's data (for TABLE DATA: comment and COPY statement); '' to skip. */
  entry(e: TocEntry): string {
    if (PREAMBLE_ONLY.has(e.desc)) return '';
    let out = '';
    if (e.tablespace !== null && e.tablespace !== this.tablespace) {
      out +=
        e.tablespace === ''
          ? "SET default_tablespace = '';\n\n"
          : `SET default_tablespace = ${e.tablespace};\n\n`;
      this.tablespace = e.tablespace;
    }
    if (e.tableam !== null && e.tableam !== this.tableam) {
      out += `SET default_table_access_method = ${e.tableam};\n\n`;
      this.tableam = e.tableam;
    }
    const pfx = e.hasData ? 'Data for ' : '';
    out += `--\n-- ${pfx}Name: ${e.tag}; Type: ${e.desc}; Schema: ${e.namespace ?? '-'}; Owner: ${e.owner ?? '-'}\n--\n\n`;
    if (e.hasData) return out + (e.copyStmt ?? '');
    if (e.defn !== null && e.defn !== '') out += `${e.defn}\n\n`;
    if (e.alterOwnerOf !== undefined && e.owner !== null) {
      out += `ALTER ${e.alterOwnerOf} OWNER TO ${quoteIdent(e.owner)};\n\n`;
    }
    return out;
  }
}

/** The rows of a TABLE DATA entry end with COPY's terminator and two empty lines. */
export const COPY_END = '\\.\n\n\n';
