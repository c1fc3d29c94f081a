"""GraphQL documents used by the tests, as clients of the reference platform write them."""

# Seed 001, "Exemple de requête" (the curl example), with the démarche number as a variable.
SEED_CURL = """query($number: Int!) {
 demarche(number: $number) {
 id,
 dossiers { nodes {
 id
 demandeur { ... on PersonnePhysique {
 civilite
 nom
 prenom
 } ... on PersonneMorale { siret }
 } }
 }
 }
}"""

# Seed 001, "Récupérer les informations d'une démarche, et les dossiers associés" (verbatim).
SEED_GET_DEMARCHE = """query getDemarche($demarcheNumber: Int = 1234) {
  demarche(number: $demarcheNumber) {
    id
    number
    title
    champDescriptors {
      id
      type
      label
    }
    dossiers(first: 10) {
      nodes {
        id
        number
        datePassageEnConstruction
        datePassageEnInstruction
        dateTraitement
        dateDerniereModification
        usager {
          email
        }
        demandeur {
          ... on PersonnePhysique {
            civilite
            nom
            prenom
          }
          ... on PersonneMorale {
            siret
            naf
            entreprise {
              siren
              dateCreation
            }
            association {
              rna
              dateCreation
            }
          }
        }
        messages {
          attachment {
            filename
            url
          }
          body
          createdAt
        }
        avis {
          attachment {
            url
            filename
          }
     dateQuestion
     dateReponse
     expert {
       email
     }
     instructeur {
       email
     }
     question
     reponse
        }
        champs {
          id
          label
          ... on TextChamp {
            value
          }
          ... on DecimalNumberChamp {
            value
          }
          ... on IntegerNumberChamp {
            value
          }
          ... on CheckboxChamp {
            value
          }
          ... on DateChamp {
            value
          }
          ... on DossierLinkChamp {
            dossier {
              id
            }
          }
          ... on MultipleDropDownListChamp {
            values
          }
          ... on LinkedDropDownListChamp {
            primaryValue
            secondaryValue
          }
          ... on PieceJustificativeChamp {
            file {
              byteSize
              checksum
              contentType
              filename
              url
            }
          }
          ... on CarteChamp {
            geoAreas {
              source
              geometry {
                type
                coordinates
              }
            }
          }
          ... on SiretChamp {
            etablissement {
              siret
              naf
              entreprise {
                siren
                dateCreation
              }
              association {
                rna
                dateCreation
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}"""

# A full export as synchronisation scripts do it: every dossier, page after page, with everything.
EXPORT_PAGE = """query exportDemarche($number: Int!, $after: String, $first: Int) {
  demarche(number: $number) {
    number
    dossiers(first: $first, after: $after) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor }
      nodes {
        id number state archived dateDepot dateDerniereModification motivation
        usager { email }
        groupeInstructeur { number label }
        traitements { state dateTraitement emailAgentTraitant motivation }
        instructeurs { email }
        messages { id email body createdAt }
        avis { id question reponse dateQuestion dateReponse expert { email } claimant { email } }
        labels { id name color }
        champs { ...ChampFields }
        annotations { ...ChampFields }
      }
    }
  }
}

fragment ChampFields on Champ {
  id champDescriptorId label stringValue updatedAt __typename
  ... on TextChamp { value }
  ... on IntegerNumberChamp { value }
  ... on DecimalNumberChamp { value }
  ... on DateChamp { date value }
  ... on DatetimeChamp { datetime }
  ... on CheckboxChamp { value }
  ... on CiviliteChamp { value }
  ... on MultipleDropDownListChamp { values }
  ... on PieceJustificativeChamp { files { filename byteSizeBigInt contentType url } }
}"""
