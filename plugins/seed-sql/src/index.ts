export {default as seedLoader} from './hooks/seed-loader.js'
