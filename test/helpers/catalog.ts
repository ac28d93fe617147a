// The catalog reader lives in src (db diff --live uses it); tests import it from here.
export {readCatalog, type CatalogSnapshot} from '../../src/db/catalog.js'
